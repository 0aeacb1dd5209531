// `darknet rnn generate`, as upstream's examples/rnn.c (test_char_rnn) prints it: the seed
// text fed one character at a time (one-hot input of net inputs), then -len characters, each
// sampled from the network's output with the C library's rand(), seeded with -srand.
// Upstream's srand(rseed) comes before it builds the network, whose random initial weights
// draw from rand() before the weights file replaces them; so the same draws are made here
// before sampling, and the same libc prints the same characters for the same seed.
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "error.h"
#include "layers/softmax_layer.h"
#include "weights.h"

namespace cli {

using dn::Error;

namespace {

// Upstream's basecfg: the file name without its directory, cut at its first '.'.
std::string base_name(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    std::string b = slash == std::string::npos ? path : path.substr(slash + 1);
    return b.substr(0, b.find('.'));
}

// Upstream's rand_normal: Box-Muller, two rand() per pair of values, the second kept.
struct NormalDraws {
    bool spare = false;
    void skip(std::size_t n) {
        if (n == 0) return;
        if (spare) {
            --n;
            spare = false;
        }
        for (std::size_t i = 0; i < (n + 1) / 2; ++i) {
            (void)std::rand();
            (void)std::rand();
        }
        spare = n % 2 == 1;
    }
};

// The rand() calls upstream's parse_network_cfg makes for `net`'s layers: make_connected_layer
// draws rand_uniform once per weight (the [rnn], [gru] and [lstm] sub-layers too),
// make_convolutional_layer rand_normal once per weight (the [crnn] sub-layers too). Layers
// whose construction upstream seeds or draws otherwise are refused.
void skip_construction_draws(const dn::Network& net) {
    NormalDraws normal;
    for (int i = 0; i < net.size(); ++i) {
        dn::Layer& l = *net.layers[i];
        const std::string kind = l.kind();
        const bool uniform = kind == "connected" || kind == "rnn" || kind == "gru" || kind == "lstm";
        const bool gauss = kind == "conv" || kind == "crnn";
        if (uniform || gauss) {
            for (const dn::ParamRef& p : l.params()) {
                if (p.role != dn::ParamRef::weight) continue;
                if (gauss) normal.skip(p.data->size());
                else
                    for (std::size_t k = 0; k < p.data->size(); ++k) (void)std::rand();
            }
        } else if (kind != "softmax" && kind != "dropout" && kind != "cost" && kind != "max" && kind != "avg" &&
                   kind != "route" && kind != "shortcut" && kind != "upsample" && kind != "reorg") {
            throw Error(net.cfg_path + ": layer " + std::to_string(i) + " [" + kind + "] is not supported by rnn generate");
        }
    }
}

// Upstream's sample_array: the values scaled to sum 1 (float sum, times float(1/sum)), then
// the first index where rand_uniform(0, 1) minus the running values reaches 0.
int sample_array(float* a, int n) {
    float sum = 0;
    for (int i = 0; i < n; ++i) sum += a[i];
    const float s = static_cast<float>(1. / sum);
    for (int i = 0; i < n; ++i) a[i] *= s;
    float r = static_cast<float>(std::rand()) / RAND_MAX * (1.f - 0.f) + 0.f;
    for (int i = 0; i < n; ++i) {
        r = r - a[i];
        if (r <= 0) return i;
    }
    return n - 1;
}

// Upstream's read_tokens: one token per line, <NEWLINE> for a line break.
std::vector<std::string> read_tokens(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw Error(path + ": cannot open the token file");
    std::vector<std::string> t;
    std::string line;
    while (std::getline(f, line)) t.push_back(line == "<NEWLINE>" ? "\n" : line);
    return t;
}

struct Generate {
    std::string seed = "\n\n";
    int len = 1000;
    float temp = .7f;
    unsigned rseed = 0;
    std::vector<std::string> tokens;  // empty: print characters
};

void print_symbol(int n, const Generate& g) {
    if (g.tokens.empty()) std::putchar(n);
    else std::printf("%s ", g.tokens[n].c_str());
}

int generate(const std::string& cfg, const std::string& weights, const Generate& g, const Common& common) {
    std::srand(g.rseed);
    std::fprintf(stderr, "%s\n", base_name(cfg).c_str());
    dn::NetworkOptions opt = common.net;
    opt.batch = 1;
    auto net = dn::parse_network(cfg, opt);
    load_weights_noted(*net, weights);
    skip_construction_draws(*net);
    const int inputs = static_cast<int>(net->input.size());
    if (net->outputs() < std::size_t(inputs))
        throw Error(cfg + ": the network outputs " + std::to_string(net->outputs()) + " values, fewer than its " + std::to_string(inputs) + " inputs: rnn generate samples the next input from the output");
    for (auto& l : net->layers)
        if (auto* soft = dynamic_cast<dn::SoftmaxLayer*>(l.get())) soft->set_temperature(g.temp);
    if (!g.tokens.empty() && g.tokens.size() < std::size_t(inputs))
        throw Error("-tokens: the file has " + std::to_string(g.tokens.size()) + " tokens, fewer than the network's " + std::to_string(inputs) + " inputs");
    // The seed's bytes index the inputs as 0..255 on every CPU. Upstream reads them as
    // `char`: unsigned on ARM, where it does the same; signed on x86, where a byte from 128
    // on indexes before its input array.
    auto byte_at = [&](int i) { return int(static_cast<unsigned char>(g.seed[i])); };
    for (int i = 0; i < int(g.seed.size()); ++i)
        if (byte_at(i) >= inputs)
            throw Error("-seed: character " + std::to_string(byte_at(i)) + " is outside the network's " + std::to_string(inputs) + " inputs");
    std::vector<float> input(inputs, 0.f);
    const float* out_c = nullptr;
    int c = 0;
    const int len = static_cast<int>(g.seed.size());
    for (int i = 0; i < len - 1; ++i) {
        c = byte_at(i);
        input[c] = 1;
        net->forward(input.data());
        input[c] = 0;
        print_symbol(c, g);
    }
    if (len) c = byte_at(len - 1);
    print_symbol(c, g);
    std::vector<float> out(inputs);
    for (int i = 0; i < g.len; ++i) {
        input[c] = 1;
        out_c = net->forward(input.data());
        input[c] = 0;
        for (int j = 0; j < inputs; ++j) out[j] = out_c[j] < .0001 ? 0.f : out_c[j];
        c = sample_array(out.data(), inputs);
        print_symbol(c, g);
    }
    std::printf("\n");
    std::fflush(stdout);
    return 0;
}

}  // namespace

int run_rnn(std::vector<std::string> v, const Common& common) {
    Generate g;
    std::string s;
    if (take_value(v, "-seed", &s)) g.seed = s;
    if (take_value(v, "-len", &s)) g.len = parse_count(s, "-len", 0, INT_MAX);
    if (take_value(v, "-temp", &s)) {
        g.temp = parse_number(s, "-temp");
        if (g.temp == 0) throw Error("-temp: must not be 0 (the softmax divides by it)");
    }
    // Upstream's default seed is the time.
    g.rseed = take_value(v, "-srand", &s) ? static_cast<unsigned>(parse_count(s, "-srand", INT_MIN, INT_MAX))
                                         : static_cast<unsigned>(std::time(nullptr));
    if (take_value(v, "-tokens", &s)) g.tokens = read_tokens(s);
    // Training and data flags of upstream's other subcommands.
    take_value(v, "-file", &s);
    take_flag(v, "-clear");
    take_flag(v, "-tokenized");
    const char* usage = "usage: darknet rnn generate CFG WEIGHTS [-len N] [-seed TEXT] [-srand N] [-temp T] [-tokens FILE]";
    if (v.size() < 2) throw Error(usage);
    const std::string& sub = v[1];
    if (sub == "train" || sub == "valid" || sub == "validtactic" || sub == "vec" || sub == "generatetactic")
        throw Error("rnn " + sub + " is not supported by this engine (only rnn generate is)");
    if (sub != "generate") throw Error("rnn: unknown subcommand \"" + sub + "\" (" + usage + ")");
    if (v.size() != 4) throw Error(usage);
    return generate(v[2], v[3], g, common);
}

}  // namespace cli
