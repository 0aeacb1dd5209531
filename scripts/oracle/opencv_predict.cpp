// OpenCV DNN as an oracle for raw network outputs on Darknet cfgs (both dialects).
//   opencv_predict crop IMAGE W H OUT.png   centre W x H window of IMAGE, no resampling
//   opencv_predict run CFG WEIGHTS IMAGE [TOP]   prints the TOP (5) largest outputs of the
//                                                 network's last layer, "index value"
// IMAGE for `run` must already have the net size: the blob is its RGB values / 255, as
// Darknet's input, so `darknet classifier predict` on the same file sees the same input.
// Build: g++ -O2 opencv_predict.cpp $(pkg-config --cflags --libs opencv4)
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "crop" && argc == 6) {
        const cv::Mat im = cv::imread(argv[2], cv::IMREAD_COLOR);
        const int w = std::stoi(argv[3]), h = std::stoi(argv[4]);
        if (im.empty() || im.cols < w || im.rows < h) return std::fprintf(stderr, "%s: cannot crop\n", argv[2]), 1;
        return cv::imwrite(argv[5], im(cv::Rect((im.cols - w) / 2, (im.rows - h) / 2, w, h)).clone()) ? 0 : 1;
    }
    if (cmd != "run" || argc < 5) return std::fprintf(stderr, "usage: see the header of opencv_predict.cpp\n"), 1;
    cv::dnn::Net net = cv::dnn::readNetFromDarknet(argv[2], argv[3]);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    const cv::Mat im = cv::imread(argv[4], cv::IMREAD_COLOR);
    net.setInput(cv::dnn::blobFromImage(im, 1 / 255.0, im.size(), cv::Scalar(), true, false));
    const cv::Mat out = net.forward();
    const float* v = out.ptr<float>();
    const std::size_t n = out.total();
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    const std::size_t top = std::min<std::size_t>(n, argc > 5 ? std::stoul(argv[5]) : 5);
    std::partial_sort(idx.begin(), idx.begin() + top, idx.end(), [&](std::size_t a, std::size_t b) { return v[a] > v[b]; });
    for (std::size_t i = 0; i < top; ++i) std::printf("%zu %f\n", idx[i], v[idx[i]]);
    return 0;
}
