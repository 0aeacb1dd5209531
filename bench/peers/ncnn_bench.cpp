// Times Tencent's ncnn on the .param/.bin pair its darknet2ncnn tool makes from a Darknet cfg +
// weights (scripts/bench.sh converts them; darknet2ncnn writes [softmax] as a layer with an
// empty type, which the script names Softmax). fp32 throughout: ncnn's default options with
// fp16 (packed, storage, arithmetic) and bf16 storage off, no Vulkan, opt.num_threads =
// -threads. Input: the bench input (bench_input.h) in an ncnn::Mat w x h x c. Each timed pass
// is a fresh Extractor, input("data"), then extract() of the network's outputs: for a detector
// the inputs of darknet2ncnn's Yolov3DetectionOutput layer(s), i.e. the YOLO head convolutions
// (after their activation), which are extracted and not that layer, whose box decoding and NMS
// are not what `darknet bench` times; for a classifier the last layer's output. The last
// [yolo] layer itself (logistic, AlexeyAB's new_coords and scale_x_y) is applied after timing
// to the last head's output by darknet_yolo, so that -out compares with `darknet bench
// -output`.
// -cfg CFG (required) is the cfg the pair was converted from: the input size and the yolo keys.
// Prints one JSON object on stdout; exit 2 with "unsupported: ..." on stderr when ncnn cannot
// load or run the pair (a layer without a type or of a type ncnn does not have), 1 for a bad
// argument or file.
// Usage: ncnn_bench PARAM BIN -cfg CFG [-iters N] [-warmup N] [-threads N] [-out FILE]
#include <ncnn/cpu.h>
#include <ncnn/net.h>
#include <ncnn/platform.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "bench_input.h"
#include "darknet_cfg.h"
#include "peer_args.h"

namespace {

// The blobs to extract, read from the .param text (magic line, "layers blobs" line, then per
// layer: type name n_in n_out inputs... outputs... key=value...): the input blobs of every
// Yolov3DetectionOutput layer in order, or, with none, the first output of the last layer.
// *detector: a Yolov3DetectionOutput layer was found. Returns 0, or the exit status with *err:
// 2 for a layer without a type (a cfg section darknet2ncnn does not convert), 1 for a bad file.
int output_blobs(const std::string& param, std::vector<std::string>* heads, bool* detector, std::string* err) {
    std::ifstream in(param);
    std::string line, last_output;
    int lineno = 0;
    while (std::getline(in, line)) {
        if (++lineno <= 2) continue;
        if (!line.empty() && std::isspace(static_cast<unsigned char>(line[0]))) {
            *err = param + ":" + std::to_string(lineno) + ": a layer without a type (a cfg section darknet2ncnn did not convert)";
            return 2;
        }
        std::istringstream ls(line);
        std::string type, name;
        int n_in = 0, n_out = 0;
        if (!(ls >> type >> name >> n_in >> n_out) || n_in < 0 || n_out < 0) {
            *err = param + ":" + std::to_string(lineno) + ": not a layer line";
            return 1;
        }
        std::vector<std::string> blobs(static_cast<size_t>(n_in + n_out));
        for (auto& b : blobs)
            if (!(ls >> b)) {
                *err = param + ":" + std::to_string(lineno) + ": fewer blobs than the layer's counts";
                return 1;
            }
        if (type == "Yolov3DetectionOutput") heads->insert(heads->end(), blobs.begin(), blobs.begin() + n_in);
        if (n_out > 0) last_output = blobs[static_cast<size_t>(n_in)];
    }
    if (lineno <= 2) {
        *err = param + ": no layers";
        return 1;
    }
    *detector = !heads->empty();
    if (heads->empty()) heads->push_back(last_output);
    return 0;
}

std::string isa() {
#if defined(__x86_64__) || defined(__i386__)
    if (ncnn::cpu_support_x86_avx512()) return "avx512";
    if (ncnn::cpu_support_x86_avx2() && ncnn::cpu_support_x86_fma()) return "avx2+fma";
    if (ncnn::cpu_support_x86_avx()) return "avx";
    return "sse2";
#else
    return "";
#endif
}

}  // namespace

int main(int argc, char** argv) {
    // -cfg is this program's own; the rest is the peers' common command line.
    std::string cfg;
    std::vector<char*> rest = {argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "-cfg") && i + 1 < argc) cfg = argv[++i];
        else rest.push_back(argv[i]);
    }
    const PeerArgs args = parse_peer_args(static_cast<int>(rest.size()), rest.data(), "ncnn_bench", "PARAM BIN -cfg CFG");
    const std::string &param = args.cfg, &bin = args.weights;
    if (cfg.empty()) {
        std::fprintf(stderr, "ncnn_bench: -cfg CFG is required (the cfg PARAM was converted from)\n");
        return 1;
    }
    for (const std::string* f : std::initializer_list<const std::string*>{&param, &bin, &cfg})
        if (!std::ifstream(*f)) {
            std::fprintf(stderr, "ncnn_bench: %s: cannot open\n", f->c_str());
            return 1;
        }
    CfgInfo info;
    if (!read_cfg_info(cfg, &info)) {
        std::fprintf(stderr, "ncnn_bench: %s: no [net] width/height/channels\n", cfg.c_str());
        return 1;
    }
    std::vector<std::string> heads;
    std::string err;
    bool detector = false;
    if (const int rc = output_blobs(param, &heads, &detector, &err)) {
        std::fprintf(stderr, "%s: %s\n", rc == 2 ? "unsupported" : "ncnn_bench", err.c_str());
        return rc;
    }
    if ((info.last_type == "yolo") != detector) {
        std::fprintf(stderr, "unsupported: %s: %s\n", param.c_str(),
                     detector ? "a Yolov3DetectionOutput layer, but the cfg's last layer is no [yolo]"
                              : "no Yolov3DetectionOutput layer for the cfg's last [yolo]");
        return 2;
    }

    ncnn::Net net;
    net.opt.use_vulkan_compute = false;
    net.opt.use_fp16_packed = false;
    net.opt.use_fp16_storage = false;
    net.opt.use_fp16_arithmetic = false;
    net.opt.use_bf16_storage = false;
    net.opt.num_threads = args.threads;
    if (net.load_param(param.c_str()) != 0) {
        std::fprintf(stderr, "unsupported: %s: ncnn's load_param failed (see its message above)\n", param.c_str());
        return 2;
    }
    if (net.load_model(bin.c_str()) != 0) {
        std::fprintf(stderr, "ncnn_bench: %s: ncnn's load_model failed (truncated, or not the weights of %s?)\n", bin.c_str(),
                     param.c_str());
        return 1;
    }

    ncnn::Mat in(info.w, info.h, info.c);
    {
        std::vector<float> chw(static_cast<size_t>(info.c) * info.h * info.w);
        bench_input(chw.data(), chw.size());
        const size_t plane = static_cast<size_t>(info.w) * info.h;
        for (int q = 0; q < info.c; ++q) std::copy_n(chw.data() + q * plane, plane, static_cast<float*>(in.channel(q)));
    }

    std::vector<double> ms;
    std::vector<ncnn::Mat> outs(heads.size());
    for (int i = 0; i < args.warmup + args.iters; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        ncnn::Extractor ex = net.create_extractor();
        ex.input("data", in);
        for (size_t k = 0; k < heads.size(); ++k)
            if (ex.extract(heads[k].c_str(), outs[k]) != 0) {
                std::fprintf(stderr, "unsupported: %s: extract(%s) failed\n", param.c_str(), heads[k].c_str());
                return 2;
            }
        const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (i >= args.warmup) ms.push_back(t);
    }

    // The last head (or the classifier's output) as Darknet lays it out: channel planes of
    // w x h floats, without ncnn's per-channel padding (cstep).
    const ncnn::Mat& last = outs.back();
    if (last.elemsize != 4 || last.elempack != 1) {
        std::fprintf(stderr, "ncnn_bench: %s: output is not plain fp32 (elemsize %zu, elempack %d)\n", heads.back().c_str(),
                     last.elemsize, last.elempack);
        return 1;
    }
    const size_t plane = static_cast<size_t>(last.w) * last.h * last.d;
    std::vector<float> flat(plane * static_cast<size_t>(last.c));
    for (int q = 0; q < last.c; ++q) std::copy_n(static_cast<const float*>(last.channel(q)), plane, flat.data() + q * plane);
    if (info.last_type == "yolo") {
        if (flat.size() != plane * static_cast<size_t>(info.yolo_anchors) * (info.yolo_classes + 5)) {
            std::fprintf(stderr, "unsupported: %s: last head has %zu values, not anchors x (classes + 5) planes\n",
                         heads.back().c_str(), flat.size());
            return 2;
        }
        darknet_yolo(flat.data(), info, plane);
    }
    if (!args.out_path.empty()) {
        std::ofstream f(args.out_path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(flat.data()), static_cast<std::streamsize>(flat.size() * sizeof(float)));
        if (!f) {
            std::fprintf(stderr, "ncnn_bench: %s: write failed\n", args.out_path.c_str());
            return 1;
        }
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    std::printf("{\"peer\": \"ncnn\", \"version\": \"%s\", \"isa\": \"%s\", \"threads\": %d, \"iters\": %d, \"warmup\": %d, "
                "\"heads\": %zu, \"outputs\": %zu, \"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"ms\": [",
                NCNN_VERSION_STRING, isa().c_str(), args.threads, args.iters, args.warmup, heads.size(), flat.size(), median,
                sorted.front(), sorted.back());
    for (size_t i = 0; i < ms.size(); ++i) std::printf("%s%.4f", i ? ", " : "", ms[i]);
    std::printf("]}\n");
    return 0;
}
