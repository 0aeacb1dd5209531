// The library from several threads: two networks, each used by its own std::thread, give
// bit-identical outputs to the same networks run one after the other. Each network uses
// threads=1: OpenBLAS's thread count is process-global (openblas_set_num_threads), so two
// networks asking for different counts at once would race on it, though never on results.
#include <catch2/catch.hpp>

#include <cstring>
#include <thread>
#include <vector>

#include "network.h"
#include "test_helpers.h"
#include "weights.h"

namespace {

struct Case {
    std::unique_ptr<dn::Network> net;
    std::vector<float> input, expected;
};

Case make_case(const std::string& cfg_path, const std::string& method, uint64_t seed) {
    dn::NetworkOptions opt;
    opt.print_table = false;
    opt.plan_path = "-";
    opt.threads = 1;
    opt.cli_method = method;
    Case c;
    c.net = dn::parse_network(cfg_path, opt);
    dn::init_weights(*c.net, seed);
    c.net->finalize();
    c.input.resize(std::size_t(c.net->batch) * c.net->input.size());
    for (std::size_t i = 0; i < c.input.size(); ++i) c.input[i] = float((i * 2654435761u + seed) % 1000) / 1000.f;
    const float* out = c.net->forward(c.input.data());
    c.expected.assign(out, out + std::size_t(c.net->batch) * c.net->outputs());
    return c;
}

// Runs `n` forwards and counts outputs that differ from the sequential ones in any bit.
int mismatches(Case& c, int n) {
    int bad = 0;
    for (int i = 0; i < n; ++i) {
        const float* out = c.net->forward(c.input.data());
        if (std::memcmp(out, c.expected.data(), c.expected.size() * sizeof(float)) != 0) ++bad;
    }
    return bad;
}

}  // namespace

TEST_CASE("threads: two networks in two threads match their sequential outputs bit for bit", "[threads]") {
    // mixed.cfg covers most layer types; tiny.cfg on im2col calls OpenBLAS from both threads.
    const std::string methods[] = {"", "im2col", "winograd", "mcmk"};
    for (const std::string& m : methods) {
        CAPTURE(m);
        Case a = make_case("tests/data/mixed.cfg", m, 1);
        Case b = make_case("cfg/tiny.cfg", m.empty() ? "im2col" : m, 2);
        for (int round = 0; round < 2; ++round) {
            CAPTURE(round);
            int bad_a = -1, bad_b = -1;
            std::thread ta([&] { bad_a = mismatches(a, 3); });
            std::thread tb([&] { bad_b = mismatches(b, 3); });
            ta.join();
            tb.join();
            CHECK(bad_a == 0);
            CHECK(bad_b == 0);
        }
    }
}
