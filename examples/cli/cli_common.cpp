#include "cli.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cfg_keys.h"
#include "conv_select.h"
#include "error.h"
#include "weights.h"

namespace cli {

using dn::Error;

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

Common take_common(std::vector<std::string>& v) {
    Common c;
    std::string s;
    // Validated where it is used: parse_network for one name, bench also takes lists.
    if (take_value(v, "-method", &s)) c.net.cli_method = s;
    take_value(v, "-plan", &c.net.plan_path);
    if (take_value(v, "-threads", &s)) c.net.threads = parse_count(s, "-threads", 1, 1024);
    // Which Darknet the cfg is read as; by default detected from its content (cfg_keys.h).
    if (take_value(v, "-dialect", &s) && !dn::parse_dialect(s, &c.net.dialect))
        throw Error("-dialect: expected pjreddie or alexeyab, got \"" + s + "\"");
    // Upstream's GPU flags: accepted and ignored, so existing scripts keep working.
    take_value(v, "-i", &s);
    take_value(v, "-gpus", &s);
    take_flag(v, "-nogpu");
    if (const char* env = std::getenv("DARKNET_CONV_METHOD")) c.net.env_method = env;
    return c;
}

float parse_number(const std::string& s, const char* what) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || errno || !std::isfinite(v))
        throw Error(std::string(what) + ": expected a number, got \"" + s + "\"");
    return static_cast<float>(v);
}

void load_weights_noted(dn::Network& net, const std::string& weights) {
    std::fprintf(stderr, "Loading weights from %s...", weights.c_str());
    std::fflush(stderr);
    try {
        dn::load_weights(net, weights);
    } catch (const Error&) {
        std::fprintf(stderr, "\n");
        throw;
    }
    std::fprintf(stderr, "Done!\n");
}

std::unique_ptr<dn::Network> load_network(const std::string& cfg, const std::string& weights,
                                          const dn::NetworkOptions& opt) {
    auto net = dn::parse_network(cfg, opt);
    // The image commands: a character RNN takes one-hot characters, not pictures.
    if (net->vector_input)
        throw Error(cfg + ": [net] gives inputs= alone, no width, height and channels: not an image model (a character RNN runs with darknet rnn generate CFG WEIGHTS)");
    for (int i = 0; i < net->size(); ++i) {
        const std::string kind = net->layer(i).kind();
        if (kind == "rnn" || kind == "gru" || kind == "lstm" || kind == "crnn")
            throw Error(cfg + ": layer " + std::to_string(i) + " [" + kind + "] is recurrent: not an image model (it runs with darknet rnn generate CFG WEIGHTS)");
    }
    load_weights_noted(*net, weights);
    return net;
}

void for_each_image(const std::string& filename, int* failures,
                    const std::function<void(const std::string&)>& one) {
    if (!filename.empty()) {
        one(filename);
        return;
    }
    std::string line;
    while (true) {
        std::printf("Enter Image Path: ");
        std::fflush(stdout);
        if (!std::getline(std::cin, line)) return;
        try {
            one(line);
        } catch (const Error& e) {
            std::fflush(stdout);
            std::fprintf(stderr, "darknet: %s\n", e.what());
            ++*failures;
        }
    }
}

}  // namespace cli
