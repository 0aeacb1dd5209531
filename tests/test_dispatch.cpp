// Method selection: precedence, fallback with a notice, per-layer errors, unknown names.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "conv_select.h"
#include "layers/convolutional_layer.h"
#include "error.h"
#include "test_helpers.h"

namespace {

// A fake table: "one" runs 1x1 kernels only, "any" runs everything.
bool one_supports(const dn::ConvParams& p, const char** why) {
    if (p.ksize != 1) {
        *why = "ksize != 1";
        return false;
    }
    return true;
}
bool any_supports(const dn::ConvParams&, const char**) { return true; }
std::size_t no_workspace(const dn::ConvParams&) { return 0; }
void no_forward(const dn::ConvParams&, const dn::ConvPlan*, const float*, const float*, float*,
                float*, const dn::ConvContext&) {}
const dn::ConvBackend kOne = {"one", "1x1 only", one_supports, no_workspace, nullptr, no_forward, false, false, nullptr};
const dn::ConvBackend kAny = {"any", "everything", any_supports, no_workspace, nullptr, no_forward, false, false, nullptr};
const dn::ConvBackend* const kTable[] = {&kOne, &kAny, nullptr};

dn::ConvParams shape(int k) {
    dn::ConvParams p;
    p.c = 3, p.h = 8, p.w = 8, p.filters = 4, p.ksize = k, p.pad = k / 2;
    REQUIRE(p.finish());
    return p;
}

dn::MethodChoice pick(int k, std::string cli, std::string env, std::string layer, std::string net) {
    const dn::MethodRequest reqs[] = {
        {cli, dn::MethodSource::cli, "-method: "},
        {env, dn::MethodSource::env, "DARKNET_CONV_METHOD: "},
        {layer, dn::MethodSource::layer_cfg, "x.cfg:9: [convolutional] #2: method: "},
        {net, dn::MethodSource::net_cfg, "x.cfg:3: [net] #0: method: "},
    };
    return dn::choose_backend(shape(k), 2, reqs, 4, kTable);
}

}  // namespace

TEST_CASE("selection: built-in default is the first supporting backend", "[dispatch]") {
    CHECK(pick(1, "", "", "", "").backend == &kOne);
    const dn::MethodChoice c = pick(3, "", "", "", "");
    CHECK(c.backend == &kAny);
    CHECK(c.source == dn::MethodSource::builtin);
    CHECK(c.notice.empty());
}

namespace {
// A table whose first entry runs everything but prefers only 5x5 layers.
bool five_only(const dn::ConvParams& p) { return p.ksize == 5; }
const dn::ConvBackend kPicky = {"picky", "prefers 5x5", any_supports, no_workspace, nullptr, no_forward, false, false, five_only};
const dn::ConvBackend* const kHintTable[] = {&kPicky, &kOne, &kAny, nullptr};
}  // namespace

TEST_CASE("selection: the default skips backends whose speed hint declines the layer", "[dispatch]") {
    const dn::MethodRequest none[] = {{"", dn::MethodSource::cli, "-method: "}};
    CHECK(dn::choose_backend(shape(5), 0, none, 1, kHintTable).backend == &kPicky);
    CHECK(dn::choose_backend(shape(1), 0, none, 1, kHintTable).backend == &kOne);
    CHECK(dn::choose_backend(shape(3), 0, none, 1, kHintTable).backend == &kAny);
    // An explicit choice ignores the hint.
    const dn::MethodRequest cli[] = {{"picky", dn::MethodSource::cli, "-method: "}};
    CHECK(dn::choose_backend(shape(3), 0, cli, 1, kHintTable).backend == &kPicky);
}

TEST_CASE("selection: -method, then env, then layer cfg, then [net]", "[dispatch]") {
    CHECK(pick(1, "any", "one", "one", "one").source == dn::MethodSource::cli);
    CHECK(pick(1, "any", "one", "one", "one").backend == &kAny);
    CHECK(pick(1, "", "any", "one", "one").source == dn::MethodSource::env);
    CHECK(pick(1, "", "", "any", "one").source == dn::MethodSource::layer_cfg);
    CHECK(pick(1, "", "", "", "any").source == dn::MethodSource::net_cfg);
    CHECK(pick(1, "", "", "", "ANY").backend == &kAny);  // case-insensitive
}

TEST_CASE("selection: a global choice falls back with a notice naming layer and reason", "[dispatch]") {
    for (auto c : {pick(3, "one", "", "", ""), pick(3, "", "one", "", ""), pick(3, "", "", "", "one")}) {
        CHECK(c.backend == &kAny);
        CHECK_THAT(c.notice, Catch::Contains("layer 2") && Catch::Contains("one") &&
                                 Catch::Contains("ksize != 1") && Catch::Contains("using any"));
    }
}

TEST_CASE("selection: a per-layer cfg choice that cannot run is an error at file:line", "[dispatch]") {
    CHECK_THROWS_WITH(pick(3, "", "", "one", ""),
                      Catch::StartsWith("x.cfg:9: [convolutional] #2: method: method one cannot run") &&
                          Catch::Contains("ksize != 1"));
}

TEST_CASE("selection: unknown names are errors listing the valid ones", "[dispatch]") {
    CHECK_THROWS_WITH(pick(1, "fast", "", "", ""), "-method: unknown convolution method \"fast\" (valid: one, any, auto)");
    CHECK_THROWS_WITH(pick(1, "", "", "", "x"), Catch::StartsWith("x.cfg:3: [net] #0: method: unknown"));
    CHECK_THROWS_WITH(dn::require_backend("nope", "-method: "), Catch::Contains("valid: ") && Catch::Contains("mcmk"));
}

TEST_CASE("selection through the parser: cfg keys per layer and per network", "[dispatch]") {
    const std::string cfg =
        "[net]\nwidth=8\nheight=8\nchannels=3\nmethod=im2col\n"
        "[convolutional]\nfilters=4\nsize=3\npad=1\nmethod=MCMK\n"
        "[convolutional]\nfilters=4\nsize=3\npad=1\n"
        "[convolutional]\nfilters=4\nsize=1\nmethod=im2row\n";
    auto layer_backend = [](const dn::Network& n, int i) {
        return std::string(static_cast<const dn::ConvolutionalLayer&>(n.layer(i)).backend()->name);
    };
    auto source = [](const dn::Network& n, int i) {
        return static_cast<const dn::ConvolutionalLayer&>(n.layer(i)).method().source;
    };
    auto net = dn_test::net_from_text(cfg);
    CHECK(layer_backend(*net, 0) == "mcmk");
    CHECK(source(*net, 0) == dn::MethodSource::layer_cfg);
    CHECK(layer_backend(*net, 1) == "im2col");
    CHECK(source(*net, 1) == dn::MethodSource::net_cfg);
    CHECK(layer_backend(*net, 2) == "im2row");

    dn::NetworkOptions env;
    env.env_method = "im2row";
    auto net_env = dn_test::net_from_text(cfg, env);
    for (int i = 0; i < 3; ++i) CHECK(layer_backend(*net_env, i) == "im2row");

    dn::NetworkOptions cli = env;
    cli.cli_method = "mcmk";
    auto net_cli = dn_test::net_from_text(cfg, cli);
    for (int i = 0; i < 3; ++i) CHECK(layer_backend(*net_cli, i) == "mcmk");
    CHECK(source(*net_cli, 1) == dn::MethodSource::cli);

    dn::NetworkOptions bad;
    bad.env_method = "fastest";
    CHECK_THROWS_WITH(dn_test::net_from_text(cfg, bad), Catch::StartsWith("DARKNET_CONV_METHOD: unknown convolution method \"fastest\""));
    CHECK_THROWS_WITH(dn_test::net_from_text("[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nmethod=fft\n"),
                      Catch::StartsWith("test.cfg:6: [convolutional] #0: method: unknown convolution method \"fft\""));
}
