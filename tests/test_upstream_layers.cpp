// pjreddie's [crop], [local] and [detection]: cases computed by hand, and every layer's output
// of a small network against upstream's own forward pass (tests/fixtures/layers/, recorded
// from libdarknet.so by scripts/oracle/record-layer-fixtures.sh).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "detection.h"
#include "error.h"
#include "layers/detection_layer.h"
#include "test_helpers.h"
#include "weights.h"

namespace {

using dn_test::run;

using dn_test::error_of;

// Sets the layer's learnable arrays, in file order.
void set_params(dn::Layer& l, const std::vector<std::vector<float>>& values) {
    std::vector<dn::ParamRef> p = l.params();
    REQUIRE(p.size() == values.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        REQUIRE(p[i].data->size() == values[i].size());
        *p[i].data = values[i];
    }
}

// "DNLY", int32 layer count, then per layer int32 n and n floats (scripts/oracle/layer_dump.c).
std::vector<std::vector<float>> read_layer_dump(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    char magic[4];
    int32_t layers = 0;
    REQUIRE(std::fread(magic, 1, 4, f) == 4);
    REQUIRE(std::memcmp(magic, "DNLY", 4) == 0);
    REQUIRE(std::fread(&layers, sizeof layers, 1, f) == 1);
    std::vector<std::vector<float>> out(layers);
    for (auto& v : out) {
        int32_t n = 0;
        REQUIRE(std::fread(&n, sizeof n, 1, f) == 1);
        v.resize(n);
        REQUIRE(std::fread(v.data(), sizeof(float), n, f) == std::size_t(n));
    }
    std::fclose(f);
    return out;
}

}  // namespace

TEST_CASE("crop: centre window, 2v - 1 unless noadjust", "[layers][crop]") {
    // 1 channel, 4 wide x 3 high; a 2x1 crop starts at row (3-1)/2 = 1, column (4-2)/2 = 1.
    const std::vector<float> in = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    auto net = dn_test::net_from_text("[net]\nwidth=4\nheight=3\nchannels=1\n[crop]\ncrop_height=1\ncrop_width=2\n");
    REQUIRE(net->layer(0).out.w == 2);
    REQUIRE(net->layer(0).out.h == 1);
    CHECK(run(*net, in) == std::vector<float>{2 * 5 - 1, 2 * 6 - 1});
    auto raw = dn_test::net_from_text("[net]\nwidth=4\nheight=3\nchannels=1\n[crop]\ncrop_height=1\ncrop_width=2\nnoadjust=1\n");
    CHECK(run(*raw, in) == std::vector<float>{5, 6});
    // Two channels, odd margins truncated: 3x3 -> 2x2 starts at (0, 0) of each channel.
    std::vector<float> two(18);
    for (int i = 0; i < 18; ++i) two[i] = i * .25f;
    auto net2 = dn_test::net_from_text("[net]\nwidth=3\nheight=3\nchannels=2\n[crop]\ncrop_height=2\ncrop_width=2\nnoadjust=1\n");
    CHECK(run(*net2, two) == std::vector<float>{0, .25f, .75f, 1, 2.25f, 2.5f, 3, 3.25f});
    CHECK(net2->layer(0).describe() == "Crop Layer: 3 x 3 -> 2 x 2 x 2 image");
}

TEST_CASE("crop: training-only keys are accepted and change nothing", "[layers][crop][cfg]") {
    const std::string head = "[net]\nwidth=5\nheight=4\nchannels=2\n[crop]\ncrop_height=2\ncrop_width=3\n";
    std::vector<float> in(40);
    for (int i = 0; i < 40; ++i) in[i] = std::sin(float(i));
    auto plain = dn_test::net_from_text(head);
    auto train = dn_test::net_from_text(head + "flip=1\nangle=7\nsaturation=1.5\nexposure=1.5\nshift=.2\n");
    CHECK(run(*train, in) == run(*plain, in));
    CHECK_THAT(error_of("[net]\nwidth=5\nheight=4\nchannels=2\n[crop]\ncrop_height=5\ncrop_width=3\n"),
               Catch::Contains("test.cfg:6: [crop] #0: crop_height: the 3x5 crop is larger than the 5x4 input"));
    CHECK_THAT(error_of("[net]\nwidth=5\nheight=4\nchannels=2\n[crop]\ncrop_height=2\ncrop_width=0\n"),
               Catch::Contains("crop_width"));
}

TEST_CASE("local: unshared weights per location, biases per output, file order", "[layers][local]") {
    // 2 channels of 3x2 (w x h), size 2, stride 1, pad 0: 2x1 locations, 2 filters.
    // Input channel 0 = [1 2 3 / 4 5 6], channel 1 = 10x that.
    auto net = dn_test::net_from_text("[net]\nwidth=3\nheight=2\nchannels=2\n[local]\nsize=2\nfilters=2\nactivation=linear\n");
    dn::Layer& l = *net->layers[0];
    REQUIRE(l.out.w == 2);
    REQUIRE(l.out.h == 1);
    REQUIRE(l.out.c == 2);
    // Biases [filter][location]; weights [location][filter][channel][ky][kx]: 2 * 2 * 8.
    std::vector<float> w(32, 0.f);
    w[0 * 16 + 0 * 8 + 0] = 1;      // location 0, filter 0, c0 (0,0): x = 1
    w[0 * 16 + 1 * 8 + 4 + 3] = 1;  // location 0, filter 1, c1 (1,1): x = 50
    w[1 * 16 + 0 * 8 + 2] = 2;      // location 1, filter 0, c0 (1,0): x = 5, times 2
    w[1 * 16 + 1 * 8 + 4 + 1] = -1; // location 1, filter 1, c1 (0,1): x = 30, times -1
    set_params(l, {{.5f, .25f, 100, 200}, w});
    const std::vector<float> in = {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60};
    // out[filter][location]
    CHECK(run(*net, in) == std::vector<float>{1 + .5f, 10 + .25f, 50 + 100, -30 + 200});
    CHECK(l.describe() == "Local Layer: 2 x 3 x 2 image, 2 filters -> 1 x 2 x 2 image");
    CHECK(l.flops() == 2.0 * 8 * 4);
}

TEST_CASE("local: pad=1 pads one pixel; output (h - 1) / stride + 1; activation", "[layers][local]") {
    // 1 channel 2x2, size 3, pad 1, stride 1: 2x2 locations, each window centred on its pixel.
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=2\nchannels=1\n[local]\nsize=3\npad=1\nfilters=1\nactivation=relu\n");
    dn::Layer& l = *net->layers[0];
    REQUIRE(l.out.w == 2);
    REQUIRE(l.out.h == 2);
    // Every location sums its whole window with weight 1, the last one with -1.
    std::vector<float> w(36, 1.f);
    for (int i = 27; i < 36; ++i) w[i] = -1;
    set_params(l, {{0, 0, 0, .5f}, w});
    CHECK(run(*net, {1, 2, 3, 4}) == std::vector<float>{10, 10, 10, 0});  // relu(-10 + .5)
    // Stride 2 with pad 1 on 5x5: (5 - 1) / 2 + 1 = 3.
    auto s2 = dn_test::net_from_text("[net]\nwidth=5\nheight=5\nchannels=1\n[local]\nsize=3\npad=1\nstride=2\n");
    CHECK(s2->layer(0).out.w == 3);
    CHECK(s2->layer(0).out.size() == 9);
    CHECK(s2->layers[0]->params()[0].data->size() == 9);
    CHECK(s2->layers[0]->params()[1].data->size() == 81);
}

TEST_CASE("local: geometry upstream cannot run is refused", "[layers][local][cfg]") {
    const std::string head = "[net]\nwidth=4\nheight=4\nchannels=1\n[local]\n";
    CHECK_THAT(error_of(head + "size=5\n"), Catch::Contains("test.cfg:6: [local] #0: size: window 5 (pad 0) is larger than the 4x4x1 input"));
    // pad=1 with size=1: upstream's output 4x4, its im2col's 6x6 windows.
    CHECK_THAT(error_of(head + "size=1\npad=1\n"), Catch::Contains("test.cfg:7: [local] #0: pad: pad=1 with size=1"));
    CHECK_THAT(error_of(head + "size=5\npad=1\n"), Catch::Contains("pad=1 with size=5"));
    CHECK(error_of(head + "size=3\npad=1\nstride=3\n").empty());
    CHECK_THAT(error_of(head + "size=3\nactivation=nope\n"), Catch::Contains("unknown activation"));
}

TEST_CASE("detection: softmax per cell over classes, boxes in pixels as upstream", "[layers][detection]") {
    // side 2, num 1, classes 2, coords 4: 4 * (2 + 1 + 4) = 28 inputs:
    // classes [cell][2] at 0..7, confidences [cell] at 8..11, boxes [cell][4] at 12..27.
    const std::string cfg = "[net]\nwidth=1\nheight=1\nchannels=28\n[detection]\nclasses=2\ncoords=4\nside=2\nnum=1\n";
    std::vector<float> in(28, 0.f);
    in[3] = std::log(3.f);            // cell 1: class odds 1 : 3
    in[8 + 1] = .8f;                  // cell 1's confidence
    in[8 + 3] = .1f;                  // cell 3's confidence, below the threshold
    in[12 + 4] = .5f, in[12 + 5] = .25f, in[12 + 6] = .5f, in[12 + 7] = .2f;  // cell 1 (row 0, col 1)
    auto plain = dn_test::net_from_text(cfg);
    CHECK(run(*plain, in) == in);  // softmax=0: a copy
    auto net = dn_test::net_from_text(cfg + "softmax=1\nsqrt=1\n");
    const auto y = run(*net, in);
    CHECK(y[0] == .5f);
    CHECK(y[2] == Approx(.25));
    CHECK(y[3] == Approx(.75));
    CHECK(y[9] == .8f);
    CHECK(net->layer(0).describe() == "Detection Layer");
    REQUIRE(dn::detection_classes(*net) == 2);

    const auto dets = dn::get_network_boxes(*net, 100, 60, .3f, .5f, true);
    REQUIRE(dets.size() == 4);
    const dn::Detection& d = dets[1];
    CHECK(d.bbox.x == (.5f + 1) / 2 * 100);   // pixels, whatever `relative` says
    CHECK(d.bbox.y == (.25f + 0) / 2 * 60);
    CHECK(d.bbox.w == .25f * 100);            // sqrt=1: squared
    CHECK(d.bbox.h == Approx(.04 * 60));
    CHECK(d.objectness == .8f);
    CHECK(d.prob[0] == 0.f);                  // .8 * .25 = .2 is not above .3
    CHECK(d.prob[1] == Approx(.6));
    CHECK(dets[3].objectness == .1f);         // confidences are never thresholded
    CHECK(dets[3].prob[0] == 0.f);
    CHECK(dets[0].bbox.x == 0.f);             // cell 0, box at its corner
    CHECK(dets[2].bbox.y == 30.f);            // cell 2: row 1
    // sqrt=0: w and h as given.
    const auto lin = dn::get_network_boxes(*plain, 100, 60, .3f, .5f, true);
    CHECK(lin[1].bbox.w == 50.f);
    CHECK(lin[1].bbox.h == Approx(12.0));
}

TEST_CASE("detection: box order is [cell][box], two boxes per cell", "[layers][detection]") {
    // side 2, num 2, classes 1: 4 class values, 8 confidences at 4..11, 8 boxes at 12..43.
    auto net = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=44\n[detection]\nclasses=1\ncoords=4\nside=2\nnum=2\n");
    std::vector<float> in(44, 0.f);
    for (int c = 0; c < 4; ++c) in[c] = .5f;
    for (int k = 0; k < 8; ++k) in[4 + k] = .1f * (k + 1);    // confidence of box k = cell * 2 + n
    for (int k = 0; k < 8; ++k) in[12 + 4 * k] = .125f * k;   // its x
    run(*net, in);
    const auto dets = dn::get_network_boxes(*net, 8, 8, .01f, .5f, true);
    REQUIRE(dets.size() == 8);
    for (int k = 0; k < 8; ++k) {
        CAPTURE(k);
        const int cell = k / 2;
        CHECK(dets[k].objectness == .1f * (k + 1));
        CHECK(dets[k].bbox.x == (.125f * k + cell % 2) / 2 * 8);
        CHECK(dets[k].bbox.y == float(cell / 2) / 2 * 8);
        CHECK(dets[k].prob[0] == .1f * (k + 1) * .5f);
    }
}

TEST_CASE("detection: cfg errors name file, line and key", "[layers][detection][cfg]") {
    const std::string head = "[net]\nwidth=1\nheight=1\nchannels=28\n[detection]\n";
    CHECK_THAT(error_of(head + "classes=3\ncoords=4\nside=2\n"),
               Catch::Contains("test.cfg:5: [detection] #0: the input has 28 values, but side=2 squared x ((1 + coords=4) x num=1 + classes=3) need 32"));
    CHECK_THAT(error_of("[net]\nwidth=1\nheight=1\nchannels=16\n[detection]\nclasses=4\ncoords=2\nside=2\n"),
               Catch::Contains("test.cfg:7: [detection] #0: coords: coords=2"));
    // Training keys are accepted (the loss; reorg is used nowhere).
    CHECK(error_of(head + "classes=2\ncoords=4\nside=2\nrescore=1\njitter=.2\nobject_scale=1\nnoobject_scale=.5\n"
                          "class_scale=1\ncoord_scale=5\nforced=1\nrandom=1\nmax=30\nreorg=1\n").empty());
}

TEST_CASE("upstream layers: every layer's output equals upstream's forward pass", "[layers][crop][local][detection]") {
    // tests/data/upstream-layers.cfg with `darknet init ... -seed 3`; the input of layer_dump.c.
    dn::NetworkOptions opt;
    opt.print_table = false;
    opt.plan_path = "-";
    auto net = dn::parse_network("tests/data/upstream-layers.cfg", opt);
    dn::init_weights(*net, 3);
    std::vector<float> in(net->input.size());
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>((i * 7919) % 1000) / 1000.f;
    net->forward(in.data());
    const auto want = read_layer_dump("tests/fixtures/layers/upstream-layers.bin");
    REQUIRE(int(want.size()) == net->size());
    for (int i = 0; i < net->size(); ++i) {
        const dn::Layer& l = net->layer(i);
        CAPTURE(i, l.kind());
        REQUIRE(want[i].size() == l.outputs());
        int differ = 0;
        for (std::size_t k = 0; k < l.outputs(); ++k) {
            const float a = l.output()[k], b = want[i][k];
            // Crop, local and connected add in upstream's order: the same bits.
            const bool same = i == 5 ? std::fabs(a - b) <= 1e-5f * (1 + std::fabs(b)) : a == b;
            if (!same && differ++ < 5) FAIL_CHECK("output " << k << ": " << a << " != upstream's " << b);
        }
        CHECK(differ == 0);
    }
}
