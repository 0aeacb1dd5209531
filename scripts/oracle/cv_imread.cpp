// Oracle for JPEG decoding: OpenCV's cv::imread (Debian's OpenCV 4.6, which decodes JPEGs with
// libjpeg-turbo), converted the way upstream Darknet's OpenCV build converts a Mat: planar,
// BGR swapped to RGB, each byte as (float)(byte / 255.). Covers the channel requests that
// upstream itself cannot be run with (its 1-channel load crashes in rgbgr_image).
//
//   cv_imread CHANNELS IMAGE
//     CHANNELS  3 -> IMREAD_COLOR, 1 -> IMREAD_GRAYSCALE, 0 -> IMREAD_UNCHANGED (as upstream's
//               load_image_cv picks the flag)
//   prints "w h c fnv1a64" (FNV-1a 64 over the float bytes, CHW), as image_dump -hash does.
// Build: see record-image-fixtures.sh.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <opencv2/imgcodecs.hpp>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s 0|1|3 IMAGE\n", argv[0]);
        return 2;
    }
    const int channels = std::atoi(argv[1]);
    const int flag = channels == 0 ? cv::IMREAD_UNCHANGED
                     : channels == 1 ? cv::IMREAD_GRAYSCALE
                                     : cv::IMREAD_COLOR;
    const cv::Mat m = cv::imread(argv[2], flag);
    if (m.empty() || m.depth() != CV_8U) {
        std::fprintf(stderr, "%s: cv::imread failed or not 8-bit\n", argv[2]);
        return 1;
    }
    const int w = m.cols, h = m.rows, c = m.channels();
    std::vector<float> data(std::size_t(w) * h * c);
    for (int y = 0; y < h; ++y) {
        const unsigned char* row = m.ptr<unsigned char>(y);
        for (int k = 0; k < c; ++k) {
            // BGR(A) -> RGB(A): upstream's rgbgr_image swaps planes 0 and 2.
            const int src_k = (c >= 3 && k < 3) ? 2 - k : k;
            for (int x = 0; x < w; ++x)
                data[(std::size_t(k) * h + y) * w + x] =
                    static_cast<float>(row[std::size_t(x) * c + src_k] / 255.);
        }
    }
    std::uint64_t hash = 1469598103934665603ULL;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    for (std::size_t i = 0; i < data.size() * sizeof(float); ++i) {
        hash ^= p[i];
        hash *= 1099511628211ULL;
    }
    std::printf("%d %d %d %016llx\n", w, h, c, static_cast<unsigned long long>(hash));
    return 0;
}
