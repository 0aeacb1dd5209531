// The activations and layer types of AlexeyAB's Darknet fork, on cases computed by hand
// (values from the closed-form functions, in double, at a few points).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "activations.h"
#include "error.h"
#include "test_helpers.h"

namespace {

using dn::Activation;

using dn_test::run;

using dn_test::error_of;

}  // namespace

TEST_CASE("activations: AlexeyAB's mish, swish, hard_mish, relu6, gelu", "[alexeyab][layers]") {
    // mish(x) = x tanh(ln(1 + e^x)); swish(x) = x / (1 + e^-x);
    // gelu(x) = x/2 (1 + tanh(0.797885 x + 0.035677 x^3)), the fork's constants.
    CHECK(dn::activate(1.f, Activation::mish) == Approx(0.8650983882673103).epsilon(1e-6));
    CHECK(dn::activate(-1.f, Activation::mish) == Approx(-0.30340146137410895).epsilon(1e-6));
    CHECK(dn::activate(-3.f, Activation::mish) == Approx(-0.1456474612756246).epsilon(1e-6));
    // Above the softplus threshold 20 softplus is x and tanh rounds to 1 in float.
    CHECK(dn::activate(21.f, Activation::mish) == 21.f);
    // Below -20 softplus is e^x, 2e-9 of which the float tanh formula 2/(1+e^-2y)-1 loses.
    CHECK(dn::activate(-25.f, Activation::mish) == 0.f);
    CHECK(dn::activate(1.f, Activation::swish) == Approx(0.7310585786300049).epsilon(1e-6));
    CHECK(dn::activate(-2.f, Activation::swish) == Approx(-0.2384058440442351).epsilon(1e-6));
    CHECK(dn::activate(3.f, Activation::hard_mish) == 3.f);
    CHECK(dn::activate(-1.f, Activation::hard_mish) == -0.5f);  // x^2/2 + x on (-2, 0]
    CHECK(dn::activate(-2.f, Activation::hard_mish) == 0.f);
    CHECK(dn::activate(-7.f, Activation::relu6) == 0.f);
    CHECK(dn::activate(2.5f, Activation::relu6) == 2.5f);
    CHECK(dn::activate(7.f, Activation::relu6) == 6.f);
    CHECK(dn::activate(1.f, Activation::gelu) == Approx(0.8411919989069876).epsilon(1e-6));
    CHECK(dn::activate(-.5f, Activation::gelu) == Approx(-0.1542859542070933).epsilon(1e-6));
    CHECK(dn::activate(2.f, Activation::gelu) == Approx(1.954597482284139).epsilon(1e-6));
    for (const char* name : {"mish", "swish", "hard_mish", "relu6", "gelu"}) {
        Activation a;
        CAPTURE(name);
        CHECK(dn::parse_activation(name, &a));
        CHECK(std::string(dn::activation_name(a)) == name);
    }
}

TEST_CASE("activations: a conv layer applies mish after its bias", "[alexeyab][layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n[convolutional]\nfilters=1\nsize=1\nactivation=mish\n");
    auto params = net->layers[0]->params();
    *params[0].data = {1.f};  // bias
    *params[1].data = {2.f};  // weight
    const auto y = run(*net, {0.f, -1.f});
    CHECK(y[0] == dn::activate(1.f, Activation::mish));
    CHECK(y[1] == dn::activate(-1.f, Activation::mish));
}

TEST_CASE("activations: an unknown name is an error at file:line", "[alexeyab][errors]") {
    const std::string e = error_of("[net]\nwidth=2\nheight=1\nchannels=1\n[convolutional]\nfilters=1\nactivation=mishy\n");
    CHECK(e.find("test.cfg:7:") == 0);
    CHECK(e.find("unknown activation \"mishy\"") != std::string::npos);
}

namespace {
const std::string kNet2x2x2 = "[net]\nwidth=2\nheight=2\nchannels=2\n";
const std::vector<float> kIn2x2x2 = {1, 2, 3, 4, -1, -1, -1, 7};
}  // namespace

TEST_CASE("scale_channels: from's channels times the previous layer's per-channel values", "[alexeyab][layers]") {
    // Layer 1 (avgpool) gives the channel means 2.5 and 1.
    auto net = dn_test::net_from_text(kNet2x2x2 + "[dropout]\n[avgpool]\n[scale_channels]\nfrom=0\n");
    CHECK(net->layer(2).out.c == 2);
    CHECK(net->layer(2).out.w == 2);
    CHECK(run(*net, kIn2x2x2) == std::vector<float>{2.5f, 5, 7.5f, 10, -1, -1, -1, 7});
}

TEST_CASE("scale_channels: scale_wh=1 scales each pixel of every channel", "[alexeyab][layers]") {
    // Layer 1: a 1x1 conv summing the two channels: 0, 1, 2, 11.
    auto net = dn_test::net_from_text(kNet2x2x2 + "[dropout]\n[convolutional]\nfilters=1\nsize=1\nactivation=linear\n"
                                                  "[scale_channels]\nfrom=-2\nscale_wh=1\n");
    auto params = net->layers[1]->params();
    *params[0].data = {0.f};
    *params[1].data = {1.f, 1.f};
    CHECK(run(*net, kIn2x2x2) == std::vector<float>{0, 2, 6, 44, 0, -1, -2, 77});
}

TEST_CASE("sam: element-wise product with from, then the activation", "[alexeyab][layers]") {
    // Layer 1 doubles the input, so sam gives 2x^2, clipped by relu6.
    auto net = dn_test::net_from_text(kNet2x2x2 + "[dropout]\n[upsample]\nstride=1\nscale=2\n[sam]\nfrom=0\nactivation=relu6\n");
    CHECK(run(*net, kIn2x2x2) == std::vector<float>{2, 6, 6, 6, 2, 2, 2, 6});
    auto lin = dn_test::net_from_text(kNet2x2x2 + "[dropout]\n[upsample]\nstride=1\nscale=2\n[sam]\nfrom=0\n");
    CHECK(run(*lin, kIn2x2x2) == std::vector<float>{2, 8, 18, 32, 2, 2, 2, 98});
}

TEST_CASE("scale_channels and sam: mismatched shapes and later layers are errors at file:line", "[alexeyab][errors]") {
    std::string e = error_of(kNet2x2x2 + "[dropout]\n[scale_channels]\nfrom=0\n");
    CHECK(e.find("test.cfg:7: [scale_channels] #1: from:") == 0);
    CHECK(e.find("must be 1x1 x its channels") != std::string::npos);
    e = error_of(kNet2x2x2 + "[dropout]\n[avgpool]\n[scale_channels]\nfrom=0\nscale_wh=1\n");
    CHECK(e.find("test.cfg:8:") == 0);
    e = error_of(kNet2x2x2 + "[dropout]\n[avgpool]\n[sam]\nfrom=0\n");
    CHECK(e.find("test.cfg:8: [sam] #2: from:") == 0);
    CHECK(e.find("outputs 2x2x2, but the input is 1x1x2") != std::string::npos);
    e = error_of(kNet2x2x2 + "[dropout]\n[sam]\nfrom=1\n");
    CHECK(e.find("test.cfg:7:") == 0);
    CHECK(e.find("out of range") != std::string::npos);
}

namespace {
dn::NetworkOptions alexeyab() {
    dn::NetworkOptions o;
    o.dialect = dn::Dialect::alexeyab;
    return o;
}
std::string alexeyab_error_of(const std::string& cfg) {
    try {
        dn_test::net_from_text(cfg, alexeyab());
    } catch (const dn::Error& e) {
        return e.what();
    }
    return "";
}
std::vector<float> iota(int n) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = float(i);
    return v;
}
}  // namespace

TEST_CASE("convolutional: AlexeyAB's batch-norm fold divides by sqrt(var + 1e-5)", "[alexeyab][layers]") {
    const std::string cfg = "[net]\nwidth=1\nheight=1\nchannels=1\n[convolutional]\nfilters=1\nsize=1\nbatch_normalize=1\nactivation=linear\n";
    for (const bool ab : {false, true}) {
        auto net = dn_test::net_from_text(cfg, ab ? alexeyab() : dn::NetworkOptions{});
        auto params = net->layers[0]->params();  // bias, scale, mean, variance, weights
        *params[0].data = {0.5f};
        *params[1].data = {2.f};
        *params[2].data = {1.f};
        *params[3].data = {0.f};
        *params[4].data = {1.f};
        // (3 - 1) * 2 / d + 0.5: d = sqrt(1e-5) for AlexeyAB, 1e-6 for pjreddie.
        const float y = run(*net, {3.f})[0];
        CHECK(y == Approx(ab ? 4 / std::sqrt(1e-5) + 0.5 : 4 / 1e-6 + 0.5).epsilon(1e-6));
    }
}

TEST_CASE("convolutional: AlexeyAB pads a dilated kernel by pad*dilation", "[alexeyab][layers]") {
    const std::string cfg = "[net]\nwidth=5\nheight=5\nchannels=1\n[convolutional]\nfilters=1\nsize=3\npad=1\ndilation=2\nactivation=linear\n";
    auto ab = dn_test::net_from_text(cfg, alexeyab());
    REQUIRE(ab->layer(0).out.w == 5);
    REQUIRE(ab->layer(0).out.h == 5);
    // pjreddie's Darknet reads no dilation: the key makes the cfg AlexeyAB's when detected.
    auto detected = dn_test::net_from_text(cfg);
    CHECK(detected->dialect == dn::Dialect::alexeyab);
    CHECK(detected->layer(0).out.w == 5);
    auto params = ab->layers[0]->params();
    *params[0].data = {0.f};
    *params[1].data = std::vector<float>(9, 1.f);
    const auto y = run(*ab, iota(25));
    CHECK(y[12] == 108.f);  // rows and columns 0, 2, 4 of 0..24
    CHECK(y[0] == 24.f);    // (0,0) (0,2) (2,0) (2,2): 0 + 2 + 10 + 12
    CHECK(y[1] == 1 + 3 + 11 + 13);  // columns -1, 1, 3 of rows -2, 0, 2
    // A 1x1 kernel ignores dilation, as AlexeyAB's parser does.
    auto one = dn_test::net_from_text("[net]\nwidth=5\nheight=5\nchannels=1\n[convolutional]\nfilters=1\nsize=1\ndilation=3\n", alexeyab());
    CHECK(one->layer(0).out.w == 5);
    // padding 0 would give AlexeyAB a 3x3 output from a kernel that covers 1x1.
    const std::string e = alexeyab_error_of("[net]\nwidth=5\nheight=5\nchannels=1\n[convolutional]\nfilters=1\nsize=3\ndilation=2\n");
    CHECK(e.find("test.cfg:8: [convolutional] #0: dilation:") == 0);
}

TEST_CASE("convolutional: share_index computes with an earlier layer's parameters", "[alexeyab][layers]") {
    const std::string cfg = "[net]\nwidth=2\nheight=1\nchannels=1\n"
                            "[convolutional]\nfilters=1\nsize=1\nactivation=linear\n"
                            "[convolutional]\nfilters=1\nsize=1\nactivation=linear\nshare_index=0\n"
                            "[convolutional]\nfilters=1\nsize=1\nactivation=linear\nshare_index=-1\n";
    auto net = dn_test::net_from_text(cfg, alexeyab());
    CHECK(net->layers[1]->params().empty());  // nothing of its own in the weights file
    CHECK(net->layers[2]->params().empty());
    auto params = net->layers[0]->params();
    *params[0].data = {1.f};
    *params[1].data = {2.f};
    // 2x+1 three times: 1 -> 3 -> 7 -> 15, -1 -> -1 -> -1 -> -1.
    CHECK(run(*net, {1.f, -1.f}) == std::vector<float>{15, -1});
    // pjreddie's Darknet has no share_index: it would compute another network, so reading
    // this cfg as pjreddie's is refused at the key (without -dialect, share_index makes the
    // cfg AlexeyAB's).
    dn::NetworkOptions pj_opt;
    pj_opt.dialect = dn::Dialect::pjreddie;
    try {
        (void)dn_test::net_from_text(cfg, pj_opt);
        FAIL("share_index under -dialect pjreddie was accepted");
    } catch (const dn::Error& e) {
        CHECK(std::string(e.what()).find("test.cfg:13: [convolutional] #1: share_index:") == 0);
    }
}

TEST_CASE("convolutional: AlexeyAB's share_index and stride_x errors at file:line", "[alexeyab][errors]") {
    const std::string head = "[net]\nwidth=2\nheight=2\nchannels=1\n[convolutional]\nfilters=1\nsize=1\n";
    std::string e = alexeyab_error_of(head + "[convolutional]\nfilters=1\nsize=1\nshare_index=1\n");
    CHECK(e.find("test.cfg:11: [convolutional] #1: share_index:") == 0);
    CHECK(e.find("out of range") != std::string::npos);
    e = alexeyab_error_of(head + "[convolutional]\nfilters=2\nsize=1\nshare_index=0\n");
    CHECK(e.find("test.cfg:11: [convolutional] #1: share_index:") == 0);
    e = alexeyab_error_of(head + "[maxpool]\n[convolutional]\nfilters=1\nsize=1\nshare_index=1\n");
    CHECK(e.find("is not [convolutional]") != std::string::npos);
    e = alexeyab_error_of(head + "[convolutional]\nfilters=1\nsize=1\nstride_x=2\nstride_y=1\n");
    CHECK(e.find("test.cfg:11: [convolutional] #1: stride_x:") == 0);
}

namespace {
std::vector<float> times(const std::vector<float>& x, double k) {
    std::vector<float> y;
    for (const float v : x) y.push_back(static_cast<float>(v * k));
    return y;
}
// Layer 0 is the input x, layer 1 is 2x.
const std::string kX2x = kNet2x2x2 + "[dropout]\n[upsample]\nstride=1\nscale=2\n";
}  // namespace

TEST_CASE("shortcut: several from= layers are summed with the input", "[alexeyab][layers]") {
    // Layer 2 is 6x; 6x + x + 2x.
    auto net = dn_test::net_from_text(kX2x + "[upsample]\nstride=1\nscale=3\n[shortcut]\nfrom=0,-2\n");
    CHECK(net->layers[3]->params().empty());
    CHECK(run(*net, kIn2x2x2) == times(kIn2x2x2, 9));
}

TEST_CASE("shortcut: per_feature weights, one per input, in file order", "[alexeyab][layers]") {
    auto net = dn_test::net_from_text(kX2x + "[upsample]\nstride=1\nscale=3\n[shortcut]\nfrom=0,1\nweights_type=per_feature\n");
    auto params = net->layers[3]->params();
    REQUIRE(params.size() == 1);
    *params[0].data = {1.f, 2.f, -1.f};  // previous (6x), layer 0 (x), layer 1 (2x)
    CHECK(run(*net, kIn2x2x2) == times(kIn2x2x2, 6));
}

TEST_CASE("shortcut: per_channel weights with relu normalisation", "[alexeyab][layers]") {
    auto net = dn_test::net_from_text(kX2x + "[shortcut]\nfrom=0\nweights_type=per_channel\nweights_normalization=relu\n");
    auto params = net->layers[2]->params();
    REQUIRE(params.size() == 1);
    // [input][channel]: previous 3, -1; layer 0 1, 2. Each weight max(w, 0.001) divided by
    // 1e-4 plus the channel's sum of them.
    *params[0].data = {3.f, -1.f, 1.f, 2.f};
    const auto y = run(*net, kIn2x2x2);
    for (int i = 0; i < 4; ++i) CHECK(y[i] == Approx(kIn2x2x2[i] * 7 / 4.0001).epsilon(1e-6));
    for (int i = 4; i < 8; ++i) CHECK(y[i] == Approx(kIn2x2x2[i] * 2.002 / 2.0011).epsilon(1e-6));
}

TEST_CASE("shortcut: per_feature weights with softmax normalisation", "[alexeyab][layers]") {
    auto net = dn_test::net_from_text(kX2x + "[shortcut]\nfrom=0\nweights_type=per_feature\nweights_normalization=softmax\n");
    *net->layers[2]->params()[0].data = {0.f, static_cast<float>(std::log(3.0))};
    // exp(w - max): 1/3 and 1, over 1e-4 + 4/3: 2x/3 + x.
    const auto y = run(*net, kIn2x2x2);
    for (int i = 0; i < 8; ++i) CHECK(y[i] == Approx(kIn2x2x2[i] * (5. / 3) / (4. / 3 + 1e-4)).epsilon(1e-6));
}

TEST_CASE("shortcut: AlexeyAB adds a layer with fewer channels to the first ones", "[alexeyab][layers]") {
    // Layer 1 is channel 0 of the input (1x1 conv), layer 2 routes the input back.
    auto net = dn_test::net_from_text(kNet2x2x2 + "[dropout]\n[convolutional]\nfilters=1\nsize=1\nactivation=linear\n"
                                                  "[route]\nlayers=0\n[shortcut]\nfrom=1\n", alexeyab());
    auto params = net->layers[1]->params();
    *params[0].data = {0.f};
    *params[1].data = {1.f, 0.f};
    CHECK(run(*net, kIn2x2x2) == std::vector<float>{2, 4, 6, 8, -1, -1, -1, 7});
}

TEST_CASE("shortcut: AlexeyAB's bad from=, weights_type and weights_normalization at file:line", "[alexeyab][errors]") {
    std::string e = error_of(kX2x + "[shortcut]\nfrom=0\nweights_type=per_pixel\n");
    CHECK(e.find("test.cfg:11: [shortcut] #2: weights_type: unknown weights_type \"per_pixel\"") == 0);
    e = error_of(kX2x + "[shortcut]\nfrom=0\nweights_type=per_feature\nweights_normalization=sigmoid\n");
    CHECK(e.find("test.cfg:12: [shortcut] #2: weights_normalization:") == 0);
    e = error_of(kX2x + "[shortcut]\nfrom=0,2\n");
    CHECK(e.find("test.cfg:10: [shortcut] #2: from:") == 0);
    CHECK(e.find("out of range") != std::string::npos);
    e = error_of(kX2x + "[avgpool]\n[shortcut]\nfrom=0,1\n");
    CHECK(e.find("test.cfg:11: [shortcut] #3: from:") == 0);
    CHECK(e.find("width and height") != std::string::npos);
}

namespace {
const std::string kNet4x4 = "[net]\nwidth=4\nheight=4\nchannels=1\n";
}  // namespace

TEST_CASE("local_avgpool: the mean of the window cells inside the input", "[alexeyab][layers]") {
    auto net = dn_test::net_from_text(kNet4x4 + "[local_avgpool]\nsize=2\nstride=2\n");
    REQUIRE(net->layer(0).out.w == 2);
    CHECK(run(*net, iota(16)) == std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f});
    // size 3 stride 1: padding 2, windows from -1; the corner averages 4 cells, the inside 9.
    auto three = dn_test::net_from_text(kNet4x4 + "[local_avg]\nsize=3\nstride=1\n");
    REQUIRE(three->layer(0).out.w == 4);
    const auto y = run(*three, iota(16));
    CHECK(y[0] == 2.5f);
    CHECK(y[5] == 5.f);
    CHECK(y[15] == (10 + 11 + 14 + 15) / 4.f);
    const std::string e = error_of(kNet4x4 + "[local_avgpool]\nsize=2\npadding=4\n");
    CHECK(e.find("test.cfg:7: [local_avgpool] #0: padding:") == 0);
}

TEST_CASE("maxpool: AlexeyAB's stride_x and stride_y", "[alexeyab][layers]") {
    // size 2, padding 1: columns 2j, 2j+1 and rows i, i+1 (clipped).
    auto net = dn_test::net_from_text(kNet4x4 + "[maxpool]\nsize=2\nstride_x=2\nstride_y=1\n", alexeyab());
    REQUIRE(net->layer(0).out.w == 2);
    REQUIRE(net->layer(0).out.h == 4);
    CHECK(run(*net, iota(16)) == std::vector<float>{5, 7, 9, 11, 13, 15, 13, 15});
    // Equal stride_x and stride_y replace stride.
    auto eq = dn_test::net_from_text(kNet4x4 + "[maxpool]\nsize=2\nstride_x=2\nstride_y=2\n", alexeyab());
    CHECK(eq->layer(0).out.w == 2);
    CHECK(run(*eq, iota(16)) == std::vector<float>{5, 7, 13, 15});
}

TEST_CASE("maxpool: AlexeyAB's maxpool_depth takes the max across channel groups", "[alexeyab][layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=4\n[maxpool]\nmaxpool_depth=1\nout_channels=2\n", alexeyab());
    REQUIRE(net->layer(0).out.c == 2);
    REQUIRE(net->layer(0).out.w == 2);
    // channels (pairs of pixels): 1 5 | -2 0 | 3 4 | -1 -3: out 0 = max(ch0, ch2), out 1 = max(ch1, ch3).
    CHECK(run(*net, {1, 5, -2, 0, 3, 4, -1, -3}) == std::vector<float>{3, 5, -1, 0});
}
