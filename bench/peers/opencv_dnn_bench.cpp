// Times OpenCV's DNN module on a Darknet cfg + weights: readNetFromDarknet, the default
// backend on the CPU, cv::setNumThreads(threads), the bench input packed by blobFromImage,
// warm-up runs, then the median of timed forward() calls. Prints one JSON object on stdout.
// Exit 2 with "unsupported: ..." on stderr when OpenCV cannot import or run the network.
// Usage: opencv_dnn_bench CFG WEIGHTS [-iters N] [-warmup N] [-threads N] [-out FILE]
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench_input.h"

namespace {

// The [net] width, height and channels of a Darknet cfg (OpenCV does not expose them).
bool net_shape(const std::string& cfg, int* w, int* h, int* c) {
    std::ifstream in(cfg);
    std::string line;
    bool in_net = false;
    *w = *h = 0;
    *c = 3;
    while (std::getline(in, line)) {
        line.erase(std::remove_if(line.begin(), line.end(), ::isspace), line.end());
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            if (in_net) break;
            in_net = line == "[net]" || line == "[network]";
            continue;
        }
        const auto eq = line.find('=');
        if (!in_net || eq == std::string::npos) continue;
        const std::string k = line.substr(0, eq);
        const int v = std::atoi(line.c_str() + eq + 1);
        if (k == "width") *w = v;
        if (k == "height") *h = v;
        if (k == "channels") *c = v;
    }
    return *w > 0 && *h > 0 && *c > 0;
}

int parse_int(const char* s, const char* flag) {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 1000000) {
        std::fprintf(stderr, "opencv_dnn_bench: %s: expected a count, got \"%s\"\n", flag, s);
        std::exit(1);
    }
    return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> pos;
    int iters = 15, warmup = 3, threads = 1;
    std::string out_path;
    for (int i = 1; i < argc; ++i) {
        const bool has_value = i + 1 < argc;
        if (!std::strcmp(argv[i], "-iters") && has_value) iters = std::max(1, parse_int(argv[++i], "-iters"));
        else if (!std::strcmp(argv[i], "-warmup") && has_value) warmup = parse_int(argv[++i], "-warmup");
        else if (!std::strcmp(argv[i], "-threads") && has_value) threads = std::max(1, parse_int(argv[++i], "-threads"));
        else if (!std::strcmp(argv[i], "-out") && has_value) out_path = argv[++i];
        else pos.push_back(argv[i]);
    }
    if (pos.size() != 2) {
        std::fprintf(stderr, "usage: opencv_dnn_bench CFG WEIGHTS [-iters N] [-warmup N] [-threads N] [-out FILE]\n");
        return 1;
    }
    int w, h, c;
    if (!net_shape(pos[0], &w, &h, &c) || c != 3) {
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
        const cv::Mat flat = out.reshape(1, 1);
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
