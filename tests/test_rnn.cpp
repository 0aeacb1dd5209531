// pjreddie's recurrent layers, [rnn], [gru], [lstm] and [crnn], on hand-set weights: every
// value below is computed by hand (or, for the gates, from the formulas written out here in
// double), so a wrong order of the sub-layers' weights, a state not carried or not updated,
// or a wrong gate formula shows. The same layers against upstream's own output: the
// `rnn generate` fixtures of tests/cli/t_rnn.sh.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "error.h"
#include "layers/crnn_layer.h"
#include "network.h"
#include "test_helpers.h"
#include "weights.h"

namespace {

using dn_test::error_of;
using dn_test::net_from_text;

// Sets the layer's learnable arrays, in file order.
void set_params(dn::Layer& l, const std::vector<std::vector<float>>& values) {
    std::vector<dn::ParamRef> p = l.params();
    REQUIRE(p.size() == values.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        REQUIRE(p[i].data->size() == values[i].size());
        *p[i].data = values[i];
    }
}

// One forward call per input vector; the output after each.
std::vector<std::vector<float>> steps(dn::Network& net, const std::vector<std::vector<float>>& inputs) {
    net.finalize();
    std::vector<std::vector<float>> out;
    for (const auto& x : inputs) {
        const float* y = net.forward(x.data());
        out.emplace_back(y, y + net.outputs());
    }
    return out;
}

double sigm(double x) { return 1 / (1 + std::exp(-x)); }

}  // namespace

TEST_CASE("rnn: two steps on hand-set weights carry the state", "[layers][rnn]") {
    // input_layer y = [1 2] x + .5, self_layer y = .5 s + .25, output_layer y = 2 s - 1, linear.
    // Step 1, x = (1, 0): state = 1.5 + .25 = 1.75, output 2.5.
    // Step 2, x = (0, 1): state = 2.5 + (.5 * 1.75 + .25) = 3.625, output 6.25.
    // shortcut=1 keeps the old state: step 2 state = 1.75 + 2.5 + 1.125 = 5.375, output 9.75.
    const bool shortcut = GENERATE(false, true);
    auto net = net_from_text(std::string("[net]\ninputs=2\n[rnn]\noutput=1\nactivation=linear\n") + (shortcut ? "shortcut=1\n" : ""));
    REQUIRE(net->vector_input);
    set_params(*net->layers[0], {{.5f}, {1, 2}, {.25f}, {.5f}, {-1}, {2}});
    const auto y = steps(*net, {{1, 0}, {0, 1}});
    CHECK(y[0][0] == 2.5f);
    CHECK(y[1][0] == (shortcut ? 9.75f : 6.25f));
    // Loading weights again starts from a zero state.
    const auto again = steps(*net, {{1, 0}});
    CHECK(again[0][0] == 2.5f);
}

TEST_CASE("rnn: one activation for the three layers, batch norm inside each", "[layers][rnn]") {
    // relu: input_layer gives relu(-1 + 0) = 0 at step 1, so state = relu(.25) = .25.
    auto net = net_from_text("[net]\ninputs=1\n[rnn]\noutput=1\nactivation=relu\n");
    set_params(*net->layers[0], {{0}, {-1}, {.25f}, {.5f}, {0}, {4}});
    auto y = steps(*net, {{1}, {-1}});
    CHECK(y[0][0] == 1.f);                // relu(4 * .25)
    CHECK(y[1][0] == 4 * (1 + .375f));    // state = relu(1) + relu(.5 * .25 + .25) = 1.375
    // batch_normalize=1: each connected layer (x - mean) / (sqrt(var) + .000001) * scale + bias.
    auto bn = net_from_text("[net]\ninputs=1\n[rnn]\noutput=1\nactivation=linear\nbatch_normalize=1\n");
    // Per layer: bias, weights, scales, rolling mean, rolling variance.
    set_params(*bn->layers[0], {{1}, {2}, {3}, {.5f}, {4}, {0}, {1}, {1}, {0}, {1}, {-1}, {1}, {2}, {1}, {.25f}});
    y = steps(*bn, {{1}});
    const double in = (2 * 1 - .5) / (2 + 1e-6) * 3 + 1;  // 3.25
    const double self = (0 - 0) / (1 + 1e-6) * 1 + 0;
    const double out = (in + self - 1) / (.5 + 1e-6) * 2 - 1;
    CHECK(y[0][0] == Approx(out).epsilon(1e-6));
}

TEST_CASE("gru: gates, state and weight order wz wr wh uz ur uh", "[layers][gru]") {
    const bool tanh = GENERATE(false, true);
    auto net = net_from_text(std::string("[net]\ninputs=1\n[gru]\noutput=1\n") + (tanh ? "tanh=1\n" : ""));
    // (bias, weight) of wz, wr, wh, uz, ur, uh.
    const double wz[2] = {.1, .7}, wr[2] = {-.2, 1.3}, wh[2] = {.3, -.9}, uz[2] = {-.4, .5}, ur[2] = {.6, -1.1}, uh[2] = {.05, 1.7};
    std::vector<std::vector<float>> p;
    for (const double* l : {wz, wr, wh, uz, ur, uh}) p.push_back({float(l[0])}), p.push_back({float(l[1])});
    set_params(*net->layers[0], p);
    const std::vector<std::vector<float>> xs = {{1}, {-2}, {.5f}};
    const auto y = steps(*net, xs);
    double h = 0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
        const double x = xs[t][0];
        const double z = sigm(uz[1] * x + uz[0] + wz[1] * h + wz[0]);
        const double r = sigm(ur[1] * x + ur[0] + wr[1] * h + wr[0]);
        const double a = uh[1] * x + uh[0] + wh[1] * (r * h) + wh[0];
        const double hh = tanh ? std::tanh(a) : sigm(a);
        h = z * h + (1 - z) * hh;
        INFO("step " << t << " tanh=" << tanh);
        CHECK(y[t][0] == Approx(h).epsilon(1e-5));
    }
}

TEST_CASE("lstm: gates, cell and weight order wi wf wo wg ui uf uo ug", "[layers][lstm]") {
    auto net = net_from_text("[net]\ninputs=1\n[lstm]\noutput=1\n");
    const double wi[2] = {.1, .7}, wf[2] = {-.2, 1.3}, wo[2] = {.3, -.9}, wg[2] = {-.4, .5};
    const double ui[2] = {.6, -1.1}, uf[2] = {.05, 1.7}, uo[2] = {-.3, .8}, ug[2] = {.2, 1.9};
    std::vector<std::vector<float>> p;
    for (const double* l : {wi, wf, wo, wg, ui, uf, uo, ug}) p.push_back({float(l[0])}), p.push_back({float(l[1])});
    set_params(*net->layers[0], p);
    const std::vector<std::vector<float>> xs = {{1}, {-2}, {.5f}};
    const auto y = steps(*net, xs);
    double h = 0, c = 0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
        const double x = xs[t][0];
        const double f = sigm(wf[1] * h + wf[0] + uf[1] * x + uf[0]);
        const double i = sigm(wi[1] * h + wi[0] + ui[1] * x + ui[0]);
        const double g = std::tanh(wg[1] * h + wg[0] + ug[1] * x + ug[0]);
        const double o = sigm(wo[1] * h + wo[0] + uo[1] * x + uo[0]);
        c = f * c + i * g;
        h = o * std::tanh(c);
        INFO("step " << t);
        CHECK(y[t][0] == Approx(h).epsilon(1e-5));
    }
}

TEST_CASE("crnn: 3x3 convolutions with padding 1, state carried", "[layers][crnn]") {
    // On a 1x1 image only each kernel's centre (index 4) meets a pixel; the rest must meet the
    // zero padding, so they are set large. The numbers are the [rnn] case's.
    auto net = net_from_text("[net]\nwidth=1\nheight=1\nchannels=1\n[crnn]\nhidden_filters=1\noutput_filters=1\nactivation=linear\n");
    auto k = [](float centre) { std::vector<float> w(9, 100.f); w[4] = centre; return w; };
    // Per convolution: biases, weights.
    set_params(*net->layers[0], {{.5f}, k(1), {.25f}, k(.5f), {-1}, k(2)});
    const auto y = steps(*net, {{1}, {2}});
    CHECK(y[0][0] == 2.5f);
    CHECK(y[1][0] == 6.25f);  // state = 2.5 + (.5 * 1.75 + .25), as [rnn]'s second step
    // On a 3x3 image a corner's 3x3 window holds four pixels: input_layer with all-ones
    // weights gives the corner 4 (then the self and output layers, all zero but the output's
    // centre weight, pass it through).
    auto big = net_from_text("[net]\nwidth=3\nheight=3\nchannels=1\n[crnn]\nhidden_filters=1\noutput_filters=1\nactivation=linear\n");
    std::vector<float> zero(9, 0.f), centre(9, 0.f);
    centre[4] = 1;
    set_params(*big->layers[0], {{0}, std::vector<float>(9, 1.f), {0}, zero, {0}, centre});
    const auto z = steps(*big, {std::vector<float>(9, 1.f)});
    CHECK(z[0] == std::vector<float>{4, 6, 4, 6, 9, 6, 4, 6, 4});
}

TEST_CASE("recurrent layers: weights file sizes as upstream's", "[layers][rnn][gru][lstm][crnn][weights]") {
    // Header 20 bytes; [connected] in->out: out biases, in*out weights, 3*out with batch norm.
    auto conn = [](int in, int out, bool bn) { return std::size_t(out + in * out + (bn ? 3 * out : 0)); };
    auto rnn = net_from_text("[net]\ninputs=5\n[rnn]\noutput=3\nbatch_normalize=1\n");
    CHECK(dn::expected_weights_bytes(*rnn) == 20 + 4 * (conn(5, 3, true) + 2 * conn(3, 3, true)));
    auto gru = net_from_text("[net]\ninputs=5\n[gru]\noutput=3\n");
    CHECK(dn::expected_weights_bytes(*gru) == 20 + 4 * 3 * (conn(5, 3, false) + conn(3, 3, false)));
    auto lstm = net_from_text("[net]\ninputs=5\n[lstm]\noutput=3\nbatch_normalize=1\n");
    CHECK(dn::expected_weights_bytes(*lstm) == 20 + 4 * 4 * (conn(5, 3, true) + conn(3, 3, true)));
    // [convolutional] c->n, 3x3: n biases, [3n batch norm], 9cn weights.
    auto conv = [](int c, int n, bool bn) { return std::size_t(n + (bn ? 3 * n : 0) + 9 * c * n); };
    auto crnn = net_from_text("[net]\nwidth=4\nheight=4\nchannels=2\n[crnn]\nhidden_filters=3\noutput_filters=5\nbatch_normalize=1\n");
    CHECK(dn::expected_weights_bytes(*crnn) == 20 + 4 * (conv(2, 3, true) + conv(3, 3, true) + conv(3, 5, true)));
    CHECK(crnn->layer(0).out.c == 5);
    CHECK(crnn->layer(0).out.w == 4);
}

TEST_CASE("recurrent layers: cfg errors name file, line and key", "[layers][rnn][cfg]") {
    CHECK_THAT(error_of("[net]\ninputs=4\n[rnn]\noutput=0\n"), Catch::Contains("test.cfg:4: [rnn] #0: output"));
    CHECK_THAT(error_of("[net]\ninputs=4\n[gru]\noutput=2\ntanh=3\n"), Catch::Contains("test.cfg:5: [gru] #0: tanh"));
    CHECK_THAT(error_of("[net]\ninputs=4\n[crnn]\n"), Catch::Contains("test.cfg:3: [crnn] #0: needs an image input"));
    CHECK_THAT(error_of("[net]\ninputs=4\n[lstm]\noutput=2\n[convolutional]\n"), Catch::Contains("outputs a vector ([lstm])"));
    CHECK_THAT(error_of("[net]\nwidth=2\n[rnn]\n"), Catch::Contains("or inputs= alone"));
    // A vector after [rnn] feeds [connected] and [softmax], as upstream's params.inputs.
    CHECK(error_of("[net]\ninputs=4\n[rnn]\noutput=3\n[connected]\noutput=4\n[softmax]\n").empty());
}

TEST_CASE("crnn: set_conv_method reaches its three convolutions, and the output stays", "[layers][crnn][capi]") {
    auto net = net_from_text("[net]\nwidth=5\nheight=4\nchannels=2\n[crnn]\nhidden_filters=3\noutput_filters=2\nactivation=leaky\n");
    dn::Network& n = *net;
    auto* crnn = dynamic_cast<dn::CrnnLayer*>(n.layers[0].get());
    REQUIRE(crnn);
    std::vector<float> x(5 * 4 * 2);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7) % 11) / 10.f - .4f;
    std::vector<std::vector<float>> out;
    for (const char* m : {"mcmk", "im2col", "winograd"}) {
        n.set_conv_method(m, -1);
        for (int i = 0; i < 3; ++i) CHECK(std::string(crnn->sublayer(i).backend()->name) == m);
        crnn->reset_state();
        out.push_back(steps(n, {x, x})[1]);
    }
    n.set_conv_method("im2row", 0);  // the layer's index: all three
    for (int i = 0; i < 3; ++i) CHECK(std::string(crnn->sublayer(i).backend()->name) == "im2row");
    for (std::size_t k = 1; k < out.size(); ++k)
        for (std::size_t i = 0; i < out[0].size(); ++i) CHECK(out[k][i] == Approx(out[0][i]).margin(1e-5));
}
