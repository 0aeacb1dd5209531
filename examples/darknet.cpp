// The darknet command line, drop-in for upstream's: same commands, arguments and printed
// results. The only place that turns dn::Error into an exit status.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "conv_backend.h"
#include "error.h"
#include "network.h"
#include "weights.h"

namespace {

using cli::Common;
using dn::Error;

int run_init(std::vector<std::string> v, Common common) {
    std::string s;
    uint64_t seed = 1;
    if (cli::take_value(v, "-seed", &s)) seed = static_cast<uint64_t>(cli::parse_count(s, "-seed", 0, 2147483647));
    // -head_scale S: the weights and biases of each layer feeding a [yolo] or [Gaussian_yolo] times S, so that
    // test fixtures get a handful of boxes above a threshold instead of thousands.
    float head_scale = 1;
    if (cli::take_value(v, "-head_scale", &s)) head_scale = cli::parse_number(s, "-head_scale");
    // -scale S: every layer's weights times S (biases and batch norm unchanged), so that
    // recurrent fixtures keep their state in range instead of growing every step.
    float scale = 1;
    if (cli::take_value(v, "-scale", &s)) scale = cli::parse_number(s, "-scale");
    if (v.size() != 3) throw Error("usage: darknet init CFG OUT.weights [-seed N] [-head_scale S] [-scale S]");
    common.net.print_table = false;
    auto net = dn::parse_network(v[1], common.net);
    dn::init_weights(*net, seed);
    if (scale != 1) {
        for (auto& l : net->layers)
            for (const dn::ParamRef& p : l->params())
                if (p.role == dn::ParamRef::weight)
                    for (float& x : *p.data) x *= scale;
        net->finalize();
    }
    if (head_scale != 1) {
        for (int i = 0; i + 1 < net->size(); ++i) {
            const std::string next = net->layer(i + 1).kind();
            if (next != "yolo" && next != "gaussian_yolo") continue;
            for (const dn::ParamRef& p : net->layers[i]->params())
                if (p.role == dn::ParamRef::weight || p.role == dn::ParamRef::bias)
                    for (float& x : *p.data) x *= head_scale;
        }
        net->finalize();
    }
    dn::save_weights(*net, v[2]);
    std::fprintf(stderr, "Wrote %s: seeded random weights (seed %llu) for %s, %zu bytes\n", v[2].c_str(), static_cast<unsigned long long>(seed), v[1].c_str(), dn::expected_weights_bytes(*net));
    return 0;
}

void usage() {
    std::fprintf(stderr,
                 "usage: darknet <function>\n"
                 "  classifier predict DATA CFG WEIGHTS [IMAGE] [-t N]\n"
                 "  classifier valid|valid10 DATA CFG WEIGHTS\n"
                 "  classify CFG WEIGHTS [IMAGE]\n"
                 "  detector test DATA CFG WEIGHTS [IMAGE] [-thresh T] [-hier T] [-out NAME] [-json FILE]\n"
                 "  detector valid DATA CFG WEIGHTS [-out PREFIX] | detector recall DATA CFG WEIGHTS\n"
                 "  detect CFG WEIGHTS [IMAGE] [-thresh T] [-out NAME] [-json FILE]\n"
                 "  predict, classify, test and detect also stream: -jsonl FILE|- [-list FILE] [-jobs N] [-shard I/N]\n"
                 "  init CFG OUT.weights [-seed N] [-head_scale S] [-scale S]\n"
                 "  rnn generate CFG WEIGHTS [-len N] [-seed TEXT] [-srand N] [-temp T] [-tokens FILE]\n"
                 "  bench CFG [WEIGHTS] [-method NAME|all|a,b] [-iters N] [-warmup N] [-layers] [-json FILE] [-output FILE]\n"
                 "common flags: -method NAME (%s), -threads N, -dialect pjreddie|alexeyab\n"
                 "  -method auto times the backends once per distinct layer shape and keeps the fastest; its plan is\n"
                 "  kept in -plan FILE (default ~/.cache/darknet-cpu/conv-plan.txt) and reused\n",
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
        const Common common = cli::take_common(v);
        if (v.empty()) throw Error("no function given (usage: darknet <function>)");
        const std::string cmd = v[0];
        if (cmd == "classifier") return cli::run_classifier(v, common);
        if (cmd == "classify") return cli::run_classify(v, common);
        if (cmd == "detector") return cli::run_detector(v, common);
        if (cmd == "detect") return cli::run_detect(v, common);
        if (cmd == "init") return run_init(v, common);
        if (cmd == "bench") return cli::run_bench(v, common);
        if (cmd == "rnn") return cli::run_rnn(v, common);
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
