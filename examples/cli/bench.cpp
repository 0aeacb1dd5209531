// `darknet bench`: times the whole forward pass per convolution method, checks that every
// method computes the same output, and optionally breaks the time down per layer.
#include <cblas.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli.h"
#include "conv_backend.h"
#include "conv_select.h"
#include "layers/convolutional_layer.h"
#include "error.h"
#include "sysinfo.h"
#include "weights.h"

#ifndef DN_BUILD_FLAGS
#define DN_BUILD_FLAGS "unknown"
#endif

namespace cli {

using dn::Error;

namespace {

struct MethodResult {
    std::string method;
    bool wrong = false;
    double max_abs_diff = 0;
    std::vector<double> ms;           // per iteration
    std::vector<double> layer_ms;     // per layer, median-free mean over iterations
    std::vector<std::string> layer_method;
    double median = 0, min = 0, max = 0;
    std::size_t memory = 0;
    dn::AutoPlanStats plan;  // what `auto` spent while loading
};

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        o += c;
    }
    return o;
}

// Raw native-endian float32, for comparing outputs with other programs.
void write_floats(const std::string& path, const std::vector<float>& x) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
    if (!f) throw Error(path + ": cannot write");
}

std::string short_desc(const std::string& d) {
    const auto cut = d.find("BFLOPs");
    return cut == std::string::npos ? d : d.substr(0, cut + 6);
}

}  // namespace

int run_bench(std::vector<std::string> v, const Common& common) {
    std::string s, json_path, output_path, method = "all";
    int iters = 10, warmup = 2;
    uint64_t seed = 1;
    if (take_value(v, "-iters", &s)) iters = parse_count(s, "-iters", 1, 100000);
    if (take_value(v, "-warmup", &s)) warmup = parse_count(s, "-warmup", 0, 100000);
    if (take_value(v, "-seed", &s)) seed = static_cast<uint64_t>(parse_count(s, "-seed", 0, 2147483647));
    take_value(v, "-json", &json_path);
    take_value(v, "-output", &output_path);
    const bool per_layer = take_flag(v, "-layers");
    if (!common.net.cli_method.empty()) method = common.net.cli_method;
    if (v.size() < 2 || v.size() > 3)
        throw Error("usage: darknet bench CFG [WEIGHTS] [-method NAME,...|all] [-iters N] [-warmup N] [-threads N] [-layers] [-json FILE] [-output FILE]");
    const std::string cfg = v[1], weights = v.size() > 2 ? v[2] : "";

    std::vector<std::string> methods;
    if (method == "all") {
        for (const dn::ConvBackend* const* b = dn::conv_backends(); *b; ++b) methods.push_back((*b)->name);
        std::reverse(methods.begin(), methods.end());  // mcmk, the reference, first
        methods.push_back("auto");
    } else {
        std::stringstream ss(method);
        for (std::string m; std::getline(ss, m, ',');) {
            if (m == "default") methods.push_back(m);  // what a run naming no method gets
            else methods.push_back(dn::is_auto_method(m) ? "auto" : dn::require_backend(m, "-method: ")->name);
        }
    }

    dn::NetworkOptions opt = common.net;
    opt.print_table = false;
    opt.env_method.clear();  // the benchmark chooses the method; the environment must not

    std::vector<float> input;
    std::vector<float> reference;
    std::vector<MethodResult> results;
    int threads = 0;
    double gflop = 0;
    std::vector<std::string> layer_desc;
    for (const std::string& m : methods) {
        opt.cli_method = m == "default" ? "" : m;
        auto net = dn::parse_network(cfg, opt);
        if (weights.empty()) dn::init_weights(*net, seed);
        else dn::load_weights(*net, weights);
        threads = net->threads;
        gflop = net->flops() / 1e9;
        if (input.empty()) {
            // Deterministic input in [0,1): the benchmark needs no image file. The peer programs
            // (bench/peers/bench_input.h) generate the same numbers; make bench-peers compares outputs.
            input.resize(net->input.size() * net->batch);
            uint32_t x = 12345;
            for (float& f : input) {
                x = x * 1664525u + 1013904223u;
                f = (x >> 8) * (1.0f / 16777216.0f);
            }
            for (int i = 0; i < net->size(); ++i) layer_desc.push_back(net->layer(i).describe());
        }
        MethodResult r;
        r.method = m;
        r.memory = net->memory_bytes();
        r.plan = net->auto_plan;
        for (int i = 0; i < net->size(); ++i) {
            const auto* conv = dynamic_cast<const dn::ConvolutionalLayer*>(&net->layer(i));
            r.layer_method.push_back(conv ? conv->backend()->name : "");
        }
        const float* out = net->forward(input.data());
        const std::size_t n = net->outputs() * net->batch;
        if (reference.empty()) {
            reference.assign(out, out + n);
            if (!output_path.empty()) write_floats(output_path, reference);
        } else {
            double scale = 0;
            for (std::size_t i = 0; i < n; ++i) {
                r.max_abs_diff = std::max(r.max_abs_diff, double(std::fabs(out[i] - reference[i])));
                scale = std::max(scale, double(std::fabs(reference[i])));
            }
            // Different summation orders differ by rounding only; anything larger is a bug.
            r.wrong = !(r.max_abs_diff <= 1e-3 * std::max(1.0, scale));
        }
        if (!r.wrong) {
            for (int i = 0; i < warmup; ++i) net->forward(input.data());
            std::vector<double> layer_s;
            for (int i = 0; i < iters; ++i) {
                const auto t0 = std::chrono::steady_clock::now();
                net->forward(input.data(), per_layer ? &layer_s : nullptr);
                r.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
            }
            r.median = median_of(r.ms);
            r.min = *std::min_element(r.ms.begin(), r.ms.end());
            r.max = *std::max_element(r.ms.begin(), r.ms.end());
            for (double t : layer_s) r.layer_ms.push_back(1e3 * t / iters);
        }
        results.push_back(r);
    }

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double peak_mb = ru.ru_maxrss / 1024.0;
    std::printf("# %s, %d cores, %d threads, %s, build: %s\n", dn::cpu_model().c_str(), omp_get_num_procs(), threads,
                dn::blas_info().c_str(), DN_BUILD_FLAGS);
    const std::string weights_desc =
        weights.empty() ? "seeded random weights (seed " + std::to_string(seed) + ")" : "weights " + weights;
    std::printf("# %s: %.3f GFLOP per image, %d warm-up + %d timed runs, %s\n", cfg.c_str(), gflop, warmup, iters,
                weights_desc.c_str());
    std::printf("%-8s %10s %10s %10s %9s %9s %9s %12s\n", "method", "median_ms", "min_ms", "max_ms", "img/s", "GFLOP/s",
                "mem_MB", "max_abs_diff");
    for (const MethodResult& r : results) {
        if (r.wrong) {
            std::printf("%-8s WRONG: output differs from %s by %g (not timed)\n", r.method.c_str(), results[0].method.c_str(), r.max_abs_diff);
            continue;
        }
        std::printf("%-8s %10.2f %10.2f %10.2f %9.2f %9.2f %9.1f %12.3g\n", r.method.c_str(), r.median, r.min, r.max,
                    1e3 / r.median, gflop / (r.median / 1e3), r.memory / 1048576.0, r.max_abs_diff);
    }
    for (const MethodResult& r : results) {
        if (r.plan.layers == 0) continue;
        // Planning cost per load: the shapes timed now (the rest came from the plan file), and
        // the time that took, also in forward passes of this network with the chosen plan.
        std::printf("# %s planning: %d conv layers, %d distinct shapes, %d timed now (%d from the plan file), %d forward calls, %.2f s",
                    r.method.c_str(), r.plan.layers, r.plan.shapes, r.plan.timed, r.plan.shapes - r.plan.timed, r.plan.calls,
                    r.plan.ms / 1e3);
        if (!r.wrong && r.median > 0) std::printf(" = %.1f forward passes", r.plan.ms / r.median);
        std::printf("\n");
    }
    std::printf("# process peak RSS %.1f MB\n", peak_mb);
    if (per_layer) {
        std::printf("\n%-5s %-60s", "layer", "description");
        for (const MethodResult& r : results) if (!r.wrong) std::printf(" %9s", (r.method + "_ms").c_str());
        std::printf("\n");
        for (std::size_t i = 0; i < layer_desc.size(); ++i) {
            std::printf("%5zu %-60s", i, short_desc(layer_desc[i]).c_str());
            for (const MethodResult& r : results) if (!r.wrong) std::printf(" %9.3f", r.layer_ms[i]);
            std::printf("\n");
        }
    }
    if (!json_path.empty()) {
        const std::string tmp = json_path + ".tmp";
        std::ofstream f(tmp);
        if (!f) throw Error(json_path + ": cannot write");
        f << "{\n  \"cfg\": \"" << json_escape(cfg) << "\",\n  \"cpu\": \"" << json_escape(dn::cpu_model())
          << "\",\n  \"cores\": " << omp_get_num_procs() << ",\n  \"threads\": " << threads << ",\n  \"blas\": \""
          << json_escape(dn::blas_info()) << "\",\n  \"build\": \"" << json_escape(DN_BUILD_FLAGS) << "\",\n  \"gflop\": " << gflop
          << ",\n  \"weights\": \""
          << (weights.empty() ? "seed " + std::to_string(seed) : json_escape(weights)) << "\",\n  \"iters\": " << iters << ",\n  \"warmup\": " << warmup << ",\n  \"peak_rss_mb\": " << peak_mb
          << ",\n  \"methods\": [";
        for (std::size_t k = 0; k < results.size(); ++k) {
            const MethodResult& r = results[k];
            f << (k ? "," : "") << "\n    {\"method\": \"" << r.method << "\", \"wrong\": " << (r.wrong ? "true" : "false")
              << ", \"max_abs_diff\": " << r.max_abs_diff << ", \"median_ms\": " << r.median << ", \"min_ms\": " << r.min
              << ", \"max_ms\": " << r.max << ", \"memory_mb\": " << r.memory / 1048576.0;
            if (r.plan.layers)
                f << ", \"plan\": {\"layers\": " << r.plan.layers << ", \"shapes\": " << r.plan.shapes << ", \"timed\": "
                  << r.plan.timed << ", \"calls\": " << r.plan.calls << ", \"ms\": " << r.plan.ms << ", \"call_ms\": "
                  << r.plan.call_ms << "}";
            f << ", \"ms\": [";
            for (std::size_t i = 0; i < r.ms.size(); ++i) f << (i ? ", " : "") << r.ms[i];
            f << "], \"layers\": [";
            for (std::size_t i = 0; i < r.layer_ms.size(); ++i)
                f << (i ? ", " : "") << "{\"index\": " << i << ", \"kind\": \"" << json_escape(layer_desc[i].substr(0, layer_desc[i].find(' ')))
                  << "\", \"desc\": \"" << json_escape(short_desc(layer_desc[i])) << "\", \"method\": \"" << r.layer_method[i]
                  << "\", \"ms\": " << r.layer_ms[i] << "}";
            f << "]}";
        }
        f << "\n  ]\n}\n";
        f.close();
        if (!f || std::rename(tmp.c_str(), json_path.c_str()) != 0) {
            std::remove(tmp.c_str());
            throw Error(json_path + ": write failed");
        }
    }
    for (const MethodResult& r : results)
        if (r.wrong) return 1;
    return 0;
}

}  // namespace cli
