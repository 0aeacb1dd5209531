// Each layer on small cases computed by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "activations.h"
#include "test_helpers.h"
#include "top_k.h"

namespace {

const std::string kNet4x4 = "[net]\nwidth=4\nheight=4\nchannels=1\n";

std::vector<float> iota16() {
    std::vector<float> v(16);
    for (int i = 0; i < 16; ++i) v[i] = float(i);
    return v;
}

std::vector<float> run(dn::Network& net, const std::vector<float>& in, int layer = -1) {
    net.finalize();
    net.forward(in.data());
    const dn::Layer& l = layer < 0 ? net.output_layer() : net.layer(layer);
    return std::vector<float>(l.output(), l.output() + l.outputs() * net.batch);
}

void set_params(dn::Layer& l, std::initializer_list<std::vector<float>> values) {
    auto params = l.params();
    REQUIRE(params.size() == values.size());
    std::size_t i = 0;
    for (const auto& v : values) {
        REQUIRE(params[i].data->size() == v.size());
        *params[i].data = v;
        ++i;
    }
}

}  // namespace

TEST_CASE("maxpool: 2x2 stride 2", "[layers]") {
    auto net = dn_test::net_from_text(kNet4x4 + "[maxpool]\nsize=2\nstride=2\n");
    CHECK(net->layer(0).out.w == 2);
    CHECK(run(*net, iota16()) == std::vector<float>{5, 7, 13, 15});
}

TEST_CASE("maxpool: upstream's default padding size-1 keeps the size at stride 1", "[layers]") {
    // size 3 stride 1: padding 2, offset -1, so each output is the max of its 3x3
    // neighbourhood clipped to the image.
    auto net = dn_test::net_from_text(kNet4x4 + "[maxpool]\nsize=3\nstride=1\n");
    REQUIRE(net->layer(0).out.w == 4);
    CHECK(run(*net, iota16()) ==
          std::vector<float>{5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15, 13, 14, 15, 15});
}

TEST_CASE("maxpool: odd input with stride 2 and default padding", "[layers]") {
    // 3x3 input, size 2 stride 2, padding 1 -> (3+1-2)/2+1 = 2, offset 0.
    auto net = dn_test::net_from_text("[net]\nwidth=3\nheight=3\nchannels=1\n[maxpool]\nsize=2\nstride=2\n");
    REQUIRE(net->layer(0).out.w == 2);
    CHECK(run(*net, {1, 2, 3, 4, 5, 6, 7, 8, -9}) == std::vector<float>{5, 6, 8, -9});
}

TEST_CASE("avgpool: global mean per channel", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=2\nchannels=2\n[avgpool]\n");
    CHECK(run(*net, {1, 2, 3, 4, -1, -1, -1, 7}) == std::vector<float>{2.5f, 1.f});
}

TEST_CASE("softmax: groups and temperature", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=4\n[softmax]\ngroups=2\ntemperature=2\n");
    const auto y = run(*net, {0, 2, 1, 1});
    const double e = std::exp(1.0);  // exp((2-0)/2)
    CHECK(y[0] == Approx(1 / (1 + e)));
    CHECK(y[1] == Approx(e / (1 + e)));
    CHECK(y[2] == Approx(0.5));
    CHECK(y[3] == Approx(0.5));
}

TEST_CASE("convolutional: 1x1 with bias, batch norm as upstream, activation", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=2\n"
                                      "[convolutional]\nfilters=1\nsize=1\nbatch_normalize=1\nactivation=leaky\n");
    // params: bias, scale, mean, variance, weights
    set_params(*net->layers[0], {{0.5f}, {2.f}, {1.f}, {4.f}, {1.f, -1.f}});
    // conv: [1-3, 2-(-4)] = [-2, 6]; bn: (x-1)/(2+1e-6)*2+0.5; leaky on the negative one.
    const auto y = run(*net, {1, 2, 3, -4});
    const double d = 2.0 + double(.000001f);
    CHECK(y[0] == Approx(0.1 * ((-2 - 1) / d * 2 + 0.5)));
    CHECK(y[1] == Approx((6 - 1) / d * 2 + 0.5));
}

TEST_CASE("convolutional: 3x3 pad 1 stride 2 by hand, linear", "[layers]") {
    auto net = dn_test::net_from_text(kNet4x4 + "[convolutional]\nfilters=1\nsize=3\nstride=2\npad=1\nactivation=linear\n");
    std::vector<float> w(9, 0.f);
    w[4] = 1.f;  // centre tap: picks the input pixel
    w[8] = 2.f;  // bottom-right tap: twice the pixel at (+1,+1)
    set_params(*net->layers[0], {{1.f}, w});
    // outputs at (0,0),(0,2),(2,0),(2,2): in + 2*in(+1,+1) + 1
    CHECK(run(*net, iota16()) == std::vector<float>{0 + 10 + 1, 2 + 14 + 1, 8 + 26 + 1, 10 + 30 + 1});
}

TEST_CASE("route: concatenates channels of earlier layers", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n"
                                      "[upsample]\nstride=1\nscale=2\n[upsample]\nstride=1\nscale=3\n[route]\nlayers=-1,0\n");
    CHECK(run(*net, {1, 2}) == std::vector<float>{6, 12, 2, 4});  // layer 1 is 3 x layer 0 = 6x
}

TEST_CASE("shortcut: previous plus from, with alpha and beta", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n"
                                      "[upsample]\nstride=1\nscale=2\n[upsample]\nstride=1\nscale=3\n"
                                      "[shortcut]\nfrom=0\nalpha=0.5\nbeta=2\nactivation=linear\n");
    // previous = 6x, from = 2x: 0.5*6x + 2*2x = 7x
    CHECK(run(*net, {1, 2}) == std::vector<float>{7, 14});
}

TEST_CASE("upsample: nearest x2 and downsample by summing", "[layers]") {
    auto up = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n[upsample]\nstride=2\n");
    CHECK(run(*up, {1, 2}) == std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2});
    auto down = dn_test::net_from_text(kNet4x4 + "[upsample]\nstride=-2\nscale=0.5\n");
    REQUIRE(down->layer(0).out.w == 2);
    CHECK(run(*down, iota16()) == std::vector<float>{5, 9, 21, 25});
}

TEST_CASE("connected: W x + b with logistic by default", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=3\nheight=1\nchannels=1\n[connected]\noutput=2\n");
    set_params(*net->layers[0], {{0.f, 1.f}, {1, 0, 0, 1, 1, 1}});
    const auto y = run(*net, {1, 2, -4});
    CHECK(y[0] == Approx(1 / (1 + std::exp(-1.0))));
    CHECK(y[1] == Approx(1 / (1 + std::exp(-(-1.0 + 1)))));
}

TEST_CASE("dropout and cost are identities; cost is not the output layer", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n[dropout]\n[upsample]\nstride=1\nscale=3\n[cost]\n");
    CHECK(std::string(net->output_layer().kind()) == "upsample");
    CHECK(run(*net, {1, 2}) == std::vector<float>{3, 6});
}

TEST_CASE("activations: upstream's formulas at chosen points", "[layers]") {
    using dn::Activation;
    CHECK(dn::activate(-2.f, Activation::leaky) == Approx(-0.2));
    CHECK(dn::activate(3.f, Activation::leaky) == 3.f);
    CHECK(dn::activate(0.f, Activation::logistic) == 0.5f);
    CHECK(dn::activate(-1.f, Activation::relu) == 0.f);
    CHECK(dn::activate(-1.f, Activation::ramp) == Approx(-0.1));
    CHECK(dn::activate(5.f, Activation::plse) == Approx(1.01));
    CHECK(dn::activate(0.f, Activation::plse) == 0.5f);
    CHECK(dn::activate(-1.f, Activation::elu) == Approx(std::exp(-1.0) - 1));
    CHECK(dn::activate(2.f, Activation::hardtan) == 1.f);
    CHECK(dn::activate(2.f, Activation::lhtan) == Approx(1.001));
    CHECK(dn::activate(1.f, Activation::tanh) == Approx(std::tanh(1.0)));
    CHECK(dn::activate(2.5f, Activation::stair) == Approx(1.0));  // floor 2 even: floor(2.5/2)
    CHECK(dn::activate(3.5f, Activation::stair) == Approx(0.5 + 1));  // floor 3 odd: 0.5 + floor(1.75)
    dn::Activation a;
    CHECK(dn::parse_activation("selu", &a));
    CHECK_FALSE(dn::parse_activation("swish", &a));
}

TEST_CASE("top_k: largest first, ties keep the lower index first, k clamped", "[layers]") {
    const float a[] = {0.1f, 0.5f, 0.3f, 0.5f, 0.0f};
    CHECK(dn::top_k(a, 5, 3) == std::vector<int>{1, 3, 2});
    CHECK(dn::top_k(a, 5, 9).size() == 5);
}
