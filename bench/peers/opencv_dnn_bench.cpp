// Times OpenCV's DNN module on a Darknet cfg + weights: readNetFromDarknet, the default
// backend on the CPU, cv::setNumThreads(threads), the bench input packed by blobFromImage,
// warm-up runs, then the median of timed forward() calls. Prints one JSON object on stdout.
// Exit 2 with "unsupported: ..." on stderr when OpenCV cannot import or run the network.
// -out writes the network output as Darknet lays it out. For a detector whose last layer is
// [yolo], OpenCV's own output is its region-layer decoding (boxes, class x objectness), so
// after timing one more forward() fetches the [convolutional] output feeding that layer (after
// its batch norm and activation, which OpenCV imports as layers of their own) and this program
// applies Darknet's yolo layer to it: logistic on x, y, objectness and classes, unless
// AlexeyAB's new_coords=1, then AlexeyAB's scale_x_y on x and y. The timed passes are
// unchanged and run the whole network, OpenCV's yolo layers included.
// Usage: opencv_dnn_bench CFG WEIGHTS [-iters N] [-warmup N] [-threads N] [-out FILE]
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench_input.h"
#include "darknet_cfg.h"
#include "peer_args.h"

namespace {

// The name of the OpenCV layer whose output is that of the cfg's [convolutional] `index`:
// OpenCV imports it as conv_<index>, then a batch-norm layer and an activation layer (their
// names and numbering are its own), so the layer `bn + act` places after conv_<index>.
std::string conv_output_layer(const cv::dnn::Net& net, int index, bool bn, const std::string& act) {
    const std::vector<std::string> names = net.getLayerNames();
    const std::string conv = "conv_" + std::to_string(index);
    const auto it = std::find(names.begin(), names.end(), conv);
    const size_t skip = size_t(bn) + size_t(act != "linear");
    if (it == names.end() || size_t(names.end() - it) <= skip)
        throw cv::Exception(0, "no layer " + conv, "conv_output_layer", __FILE__, __LINE__);
    const std::string& name = *(it + static_cast<std::ptrdiff_t>(skip));
    if (bn && (it + 1)->rfind("bn_", 0) != 0)
        throw cv::Exception(0, "no batch norm after " + conv, "conv_output_layer", __FILE__, __LINE__);
    if (act != "linear" && name.rfind(act == "leaky" ? "relu_" : act + "_", 0) != 0 && name.rfind(act + "_", 0) != 0)
        throw cv::Exception(0, "no " + act + " layer after " + conv + " (found " + name + ")", "conv_output_layer",
                            __FILE__, __LINE__);
    return name;
}

}  // namespace

int main(int argc, char** argv) {
    const PeerArgs args = parse_peer_args(argc, argv, "opencv_dnn_bench");
    const int iters = args.iters, warmup = args.warmup, threads = args.threads;
    const std::string& out_path = args.out_path;
    const std::vector<std::string> pos = {args.cfg, args.weights};
    CfgInfo info;
    const bool shape_ok = read_cfg_info(pos[0], &info);
    const int w = info.w, h = info.h, c = info.c;
    if (!shape_ok || c != 3) {
        std::fprintf(stderr, "unsupported: %s: no [net] width/height or channels != 3\n", pos[0].c_str());
        return 2;
    }
    cv::setNumThreads(threads);
    cv::dnn::Net net;
    try {
        net = cv::dnn::readNetFromDarknet(pos[0], pos[1]);
        if (net.empty()) throw cv::Exception(0, "empty network", "readNetFromDarknet", __FILE__, __LINE__);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    } catch (const cv::Exception& e) {
        std::fprintf(stderr, "unsupported: import: %s\n", e.what());
        return 2;
    }

    // An HWC image whose NCHW blob is exactly the bench input (no scaling, no channel swap).
    std::vector<float> chw(static_cast<size_t>(c) * h * w);
    bench_input(chw.data(), chw.size());
    cv::Mat img(h, w, CV_32FC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int k = 0; k < c; ++k) img.ptr<float>(y)[x * c + k] = chw[(static_cast<size_t>(k) * h + y) * w + x];
    const cv::Mat blob = cv::dnn::blobFromImage(img, 1.0, cv::Size(w, h), cv::Scalar(), false, false, CV_32F);

    std::vector<double> ms;
    cv::Mat out;
    try {
        for (int i = 0; i < warmup + iters; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            net.setInput(blob);
            out = net.forward();
            const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            if (i >= warmup) ms.push_back(t);
        }
    } catch (const cv::Exception& e) {
        std::fprintf(stderr, "unsupported: forward: %s\n", e.what());
        return 2;
    }
    if (!out_path.empty()) {
        cv::Mat darknet_out = out;
        if (info.last_type == "yolo" && info.before_last_type == "convolutional") {
            try {
                darknet_out = net.forward(conv_output_layer(net, info.sections - 2, info.before_last_bn,
                                                            info.before_last_act)).clone();
            } catch (const cv::Exception& e) {
                std::fprintf(stderr, "unsupported: forward to the last yolo layer's input: %s\n", e.what());
                return 2;
            }
            const size_t wh = darknet_out.total() / (static_cast<size_t>(info.yolo_anchors) * (info.yolo_classes + 5));
            darknet_yolo(darknet_out.ptr<float>(), info, wh);
        }
        const cv::Mat flat = darknet_out.reshape(1, 1);
        std::ofstream f(out_path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(flat.ptr<float>()), static_cast<std::streamsize>(flat.total() * sizeof(float)));
        if (!f) {
            std::fprintf(stderr, "opencv_dnn_bench: %s: write failed\n", out_path.c_str());
            return 1;
        }
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    std::printf("{\"peer\": \"opencv\", \"version\": \"%s\", \"threads\": %d, \"opencv_threads\": %d, \"iters\": %d, "
                "\"warmup\": %d, \"outputs\": %zu, \"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"ms\": [",
                CV_VERSION, threads, cv::getNumThreads(), iters, warmup, static_cast<size_t>(out.total()), median,
                sorted.front(), sorted.back());
    for (size_t i = 0; i < ms.size(); ++i) std::printf("%s%.4f", i ? ", " : "", ms[i]);
    std::printf("]}\n");
    return 0;
}
