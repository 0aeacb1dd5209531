// The darknet command line, drop-in for upstream's: same commands, arguments and printed
// results. The only place that turns dn::Error into an exit status.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cfg.h"
#include "conv_backend.h"
#include "conv_select.h"
#include "error.h"
#include "image.h"
#include "log.h"
#include "network.h"
#include "top_k.h"
#include "weights.h"

namespace {

using dn::Error;

// Upstream removes the flags it knows from argv wherever they stand; so do we.
struct Args {
    std::vector<std::string> pos;
    std::vector<std::string> flags;  // raw, for flag lookups
};

bool take_flag(std::vector<std::string>& v, const char* name) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] == name) {
            v.erase(v.begin() + i);
            return true;
        }
    return false;
}

bool take_value(std::vector<std::string>& v, const char* name, std::string* out) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] == name) {
            if (i + 1 >= v.size()) throw Error(std::string(name) + ": missing value");
            *out = v[i + 1];
            v.erase(v.begin() + i, v.begin() + i + 2);
            return true;
        }
    return false;
}

int parse_count(const std::string& s, const char* what, int lo, int hi) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || errno || v < lo || v > hi)
        throw Error(std::string(what) + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got \"" + s + "\"");
    return static_cast<int>(v);
}

struct Common {
    dn::NetworkOptions net;
};

Common take_common(std::vector<std::string>& v) {
    Common c;
    std::string s;
    if (take_value(v, "-method", &s)) {
        dn::require_backend(s, "-method: ");
        c.net.cli_method = s;
    }
    if (take_value(v, "-threads", &s)) c.net.threads = parse_count(s, "-threads", 1, 1024);
    // Upstream's GPU flags: accepted and ignored, so existing scripts keep working.
    take_value(v, "-i", &s);
    take_value(v, "-gpus", &s);
    take_flag(v, "-nogpu");
    if (const char* env = std::getenv("DARKNET_CONV_METHOD")) c.net.env_method = env;
    return c;
}

std::unique_ptr<dn::Network> load_network(const std::string& cfg, const std::string& weights,
                                          const dn::NetworkOptions& opt) {
    auto net = dn::parse_network(cfg, opt);
    std::fprintf(stderr, "Loading weights from %s...", weights.c_str());
    std::fflush(stderr);
    try {
        dn::load_weights(*net, weights);
    } catch (const Error&) {
        std::fprintf(stderr, "\n");
        throw;
    }
    std::fprintf(stderr, "Done!\n");
    return net;
}

std::string data_path(const dn::SectionReader& r, const char* key, const std::string& def) {
    return r.get_string(key, def);
}

void predict_classifier(const std::string& datacfg, const std::string& cfg,
                        const std::string& weights, const std::string& filename, int top,
                        const Common& common, int* failures) {
    const dn::CfgSection data = dn::read_options_file(datacfg);
    dn::SectionReader dr(datacfg, data, 0);
    std::string names_path = data_path(dr, "names", "");
    if (names_path.empty()) names_path = data_path(dr, "labels", "data/labels.list");
    if (top == 0) top = dr.get_int_in("top", 1, 1, 1 << 20);
    const std::vector<std::string> names = dn::read_lines(names_path);

    auto net = load_network(cfg, weights, common.net);
    const std::size_t outputs = net->outputs();
    if (names.size() < outputs)
        throw Error(names_path + ": has " + std::to_string(names.size()) + " names, but " + cfg + " outputs " + std::to_string(outputs) + " classes");

    std::string line;
    while (true) {
        std::string input;
        if (!filename.empty()) {
            input = filename;
        } else {
            std::printf("Enter Image Path: ");
            std::fflush(stdout);
            if (!std::getline(std::cin, line)) return;
            input = line;
        }
        try {
            const dn::Image im = dn::load_image(input, 3);
            const dn::Image r = dn::letterbox_image(im, net->width(), net->height());
            const auto t0 = std::chrono::steady_clock::now();
            const float* pred = net->forward(r.data.data());
            const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const std::vector<int> idx = dn::top_k(pred, outputs, top);
            std::fprintf(stderr, "%s: Predicted in %f seconds.\n", input.c_str(), sec);
            for (int i : idx) std::printf("%5.2f%%: %s\n", pred[i] * 100, names[i].c_str());
            std::fflush(stdout);
        } catch (const Error& e) {
            if (!filename.empty()) throw;
            std::fprintf(stderr, "darknet: %s\n", e.what());
            ++*failures;
        }
        if (!filename.empty()) return;
    }
}

int run_classifier(std::vector<std::string> v, const Common& common) {
    int top = 0;
    std::string s;
    if (take_value(v, "-t", &s)) top = parse_count(s, "-t", 1, 1 << 20);
    // v: classifier <sub> data cfg weights [image]
    if (v.size() < 2) throw Error("usage: darknet classifier predict DATA CFG WEIGHTS [IMAGE] [-t N] [-method NAME] [-threads N]");
    const std::string sub = v[1];
    if (sub != "predict")
        throw Error("classifier " + sub + ": not supported (this engine runs inference: use predict)");
    if (v.size() < 5) throw Error("usage: darknet classifier predict DATA CFG WEIGHTS [IMAGE] [-t N] [-method NAME] [-threads N]");
    int failures = 0;
    predict_classifier(v[2], v[3], v[4], v.size() > 5 ? v[5] : "", top, common, &failures);
    return failures ? 1 : 0;
}

int run_classify(std::vector<std::string> v, const Common& common) {
    // upstream: darknet classify CFG WEIGHTS [IMAGE], with cfg/imagenet1k.data and top 5
    if (v.size() < 3) throw Error("usage: darknet classify CFG WEIGHTS [IMAGE]");
    int failures = 0;
    predict_classifier("cfg/imagenet1k.data", v[1], v[2], v.size() > 3 ? v[3] : "", 5, common, &failures);
    return failures ? 1 : 0;
}

int run_init(std::vector<std::string> v, Common common) {
    std::string s;
    uint64_t seed = 1;
    if (take_value(v, "-seed", &s)) seed = static_cast<uint64_t>(parse_count(s, "-seed", 0, 2147483647));
    if (v.size() != 3) throw Error("usage: darknet init CFG OUT.weights [-seed N]");
    common.net.print_table = false;
    auto net = dn::parse_network(v[1], common.net);
    dn::init_weights(*net, seed);
    dn::save_weights(*net, v[2]);
    std::fprintf(stderr, "Wrote %s: seeded random weights (seed %llu) for %s, %zu bytes\n", v[2].c_str(), static_cast<unsigned long long>(seed), v[1].c_str(), dn::expected_weights_bytes(*net));
    return 0;
}

void usage() {
    std::fprintf(stderr,
                 "usage: darknet <function>\n"
                 "  classifier predict DATA CFG WEIGHTS [IMAGE] [-t N]\n"
                 "  classify CFG WEIGHTS [IMAGE]\n"
                 "  init CFG OUT.weights [-seed N]\n"
                 "common flags: -method NAME (%s), -threads N\n",
                 dn::conv_backend_names().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 1;
    }
    std::vector<std::string> v(argv + 1, argv + argc);
    try {
        // Flags every command shares may stand anywhere, even before the command.
        const Common common = take_common(v);
        if (v.empty()) throw Error("no function given (usage: darknet <function>)");
        const std::string cmd = v[0];
        if (cmd == "classifier") return run_classifier(v, common);
        if (cmd == "classify") return run_classify(v, common);
        if (cmd == "init") return run_init(v, common);
        usage();
        throw Error("unknown function \"" + cmd + "\"");
    } catch (const Error& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "darknet: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "darknet: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "darknet: %s\n", e.what());
        return 1;
    }
}
