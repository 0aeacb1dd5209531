// Weights files: round trip, header variants, size mismatches.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <vector>

#include "error.h"
#include "test_helpers.h"
#include "weights.h"

namespace {

const std::string kCfg =
    "[net]\nwidth=6\nheight=5\nchannels=3\n"
    "[convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\npad=1\nactivation=leaky\n"
    "[connected]\noutput=3\nactivation=linear\n[connected]\noutput=2\nbatch_normalize=1\n";

std::vector<float> all_params(dn::Network& net) {
    std::vector<float> v;
    for (auto& l : net.layers)
        for (auto& p : l->params()) v.insert(v.end(), p.data->begin(), p.data->end());
    return v;
}

std::string temp_path(const char* name) { return std::string("/tmp/dn_test_") + name; }

}  // namespace

TEST_CASE("weights: init is seeded, save/load round-trips every parameter", "[weights]") {
    auto a = dn_test::net_from_text(kCfg);
    auto b = dn_test::net_from_text(kCfg);
    auto c = dn_test::net_from_text(kCfg);
    dn::init_weights(*a, 7);
    dn::init_weights(*b, 7);
    dn::init_weights(*c, 8);
    CHECK(all_params(*a) == all_params(*b));
    CHECK(all_params(*a) != all_params(*c));
    const std::string path = temp_path("roundtrip.weights");
    dn::save_weights(*a, path);
    auto d = dn_test::net_from_text(kCfg);
    const dn::WeightsHeader h = dn::load_weights(*d, path);
    CHECK(h.major == 0);
    CHECK(h.minor == 2);
    CHECK(all_params(*d) == all_params(*a));
    // 4 (bias) + 3*4 (bn) + 4*3*3*3 + 3 + 3*120 + 2 + 2*3 + 3*2 = 16 + 108 + 363 + 14
    const std::size_t floats = 16 + 108 + 3 + 360 + 2 + 6 + 6;
    CHECK(dn::expected_weights_bytes(*a) == 20 + floats * 4);
    for (float v : all_params(*a)) REQUIRE(std::isfinite(v));
    std::remove(path.c_str());
}

TEST_CASE("weights: old 32-bit `seen` and transposed connected weights", "[weights]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n[connected]\noutput=3\nactivation=linear\n");
    const std::string path = temp_path("old.weights");
    {
        std::ofstream f(path, std::ios::binary);
        const int32_t head[3] = {0, 1001, 0};  // minor > 1000: transposed, 32-bit seen
        const uint32_t seen = 5;
        const float bias[3] = {1, 2, 3};
        const float w_t[6] = {1, 2, 3, 4, 5, 6};  // stored [inputs=2][outputs=3]
        f.write(reinterpret_cast<const char*>(head), sizeof head);
        f.write(reinterpret_cast<const char*>(&seen), sizeof seen);
        f.write(reinterpret_cast<const char*>(bias), sizeof bias);
        f.write(reinterpret_cast<const char*>(w_t), sizeof w_t);
    }
    const dn::WeightsHeader h = dn::load_weights(*net, path);
    CHECK(h.seen == 5);
    auto params = net->layers[0]->params();
    CHECK(*params[1].data == std::vector<float>{1, 4, 2, 5, 3, 6});  // [outputs][inputs]
    const float x[2] = {1, 10};
    const float* y = net->forward(x);
    CHECK(y[0] == 1 + 1 + 40);
    CHECK(y[1] == 2 + 2 + 50);
    CHECK(y[2] == 3 + 3 + 60);
    std::remove(path.c_str());
}

TEST_CASE("weights: size mismatches report expected and actual bytes", "[weights]") {
    auto net = dn_test::net_from_text(kCfg);
    const std::string path = temp_path("short.weights");
    {
        std::ofstream f(path, std::ios::binary);
        const int32_t head[3] = {0, 2, 0};
        const uint64_t seen = 0;
        f.write(reinterpret_cast<const char*>(head), sizeof head);
        f.write(reinterpret_cast<const char*>(&seen), sizeof seen);
        f.write("abcd", 4);
    }
    CHECK_THROWS_WITH(dn::load_weights(*net, path),
                      Catch::Contains("short.weights: weights do not match test.cfg: expected 2024 bytes, file has 24"));
    CHECK_THROWS_WITH(dn::load_weights(*net, temp_path("missing.weights")), Catch::Contains("missing.weights: cannot open"));
    CHECK_THROWS_WITH(dn::load_weights(*net, "/tmp"), Catch::Contains("/tmp: is a directory"));
    std::remove(path.c_str());
}
