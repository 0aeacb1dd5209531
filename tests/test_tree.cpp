// Upstream's softmax tree (tree=, YOLO9000's WordTree) on a 7-node tree computed by hand:
// reading and grouping, hierarchy_predictions, hierarchy_top_prediction, [softmax] tree=,
// [region] tree= decoding, and the file errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "detection.h"
#include "error.h"
#include "layers/softmax_layer.h"
#include "test_helpers.h"
#include "tree.h"

namespace {

// Groups (consecutive lines with one parent): {animal, plant} {dog, cat} {fern} {puppy, hound}.
const char* kTree = "animal -1\nplant -1\ndog 0\ncat 0\nfern 1\npuppy 2\nhound 2\n";

std::string write_temp(const std::string& name, const std::string& text) {
    const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/dn-tree-test-" + name;
    std::ofstream(path) << text;
    return path;
}

float logistic(float x) { return 1.f / (1.f + std::exp(-x)); }

}  // namespace

TEST_CASE("tree: read_tree groups siblings as upstream", "[tree]") {
    const dn::Tree t = dn::read_tree(write_temp("ok.tree", kTree));
    REQUIRE(t.n() == 7);
    CHECK(t.name[6] == "hound");
    CHECK(t.parent == std::vector<int>{-1, -1, 0, 0, 1, 2, 2});
    CHECK(t.groups() == 4);
    CHECK(t.group_offset == std::vector<int>{0, 2, 4, 5});
    CHECK(t.group_size == std::vector<int>{2, 2, 1, 2});
    CHECK(t.group == std::vector<int>{0, 0, 1, 1, 2, 3, 3});
    CHECK(t.child == std::vector<int>{1, 2, 3, -1, -1, -1, -1});
    CHECK(t.leaf == std::vector<char>{0, 0, 0, 1, 1, 1, 1});
}

TEST_CASE("tree: hierarchy_predictions and hierarchy_top_prediction by hand", "[tree]") {
    const dn::Tree t = dn::read_tree(write_temp("ok.tree", kTree));
    // Softmax outputs per group: {.6 .4} {.7 .3} {1} {.2 .8}.
    std::vector<float> p{.6f, .4f, .7f, .3f, 1.f, .2f, .8f};
    SECTION("products along the path, leaves only") {
        dn::hierarchy_predictions(p.data(), 7, t, true, 1);
        CHECK(p[0] == 0.f);
        CHECK(p[2] == 0.f);  // dog has children
        CHECK(p[3] == .3f * .6f);
        CHECK(p[4] == 1.f * .4f);
        CHECK(p[5] == .2f * (.7f * .6f));
        CHECK(p[6] == .8f * (.7f * .6f));
    }
    SECTION("strided, inner nodes kept") {
        std::vector<float> s(14, -1.f);
        for (int i = 0; i < 7; ++i) s[2 * i] = p[i];
        dn::hierarchy_predictions(s.data(), 7, t, false, 2);
        CHECK(s[2 * 2] == .7f * .6f);
        CHECK(s[2 * 6] == .8f * (.7f * .6f));
        CHECK(s[1] == -1.f);  // between the strides: untouched
    }
    SECTION("the top prediction descends while the product of maxima stays above thresh") {
        dn::hierarchy_predictions(p.data(), 7, t, false, 1);  // {.6 .4 .42 .18 .4 .084 .336}
        CHECK(dn::hierarchy_top_prediction(p.data(), t, .7f, 1) == 0);   // .6 <= .7 in the root group: its best
        CHECK(dn::hierarchy_top_prediction(p.data(), t, .5f, 1) == 0);   // .6 * .42 <= .5: back to animal
        CHECK(dn::hierarchy_top_prediction(p.data(), t, .2f, 1) == 2);   // .252 * .336 <= .2: dog
        CHECK(dn::hierarchy_top_prediction(p.data(), t, .01f, 1) == 6);  // down to the leaf hound
    }
}

TEST_CASE("tree: [softmax] tree= takes a softmax over each group", "[tree]") {
    const std::string tree = write_temp("ok.tree", kTree);
    auto net = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=7\n[softmax]\ntree=" + tree + "\n");
    REQUIRE(net->hierarchy);
    CHECK(net->hierarchy->n() == 7);
    net->finalize();
    const std::vector<float> in{0.f, std::log(3.f), 5.f, 5.f, -7.f, 0.f, std::log(4.f)};
    const float* y = net->forward(in.data());
    CHECK(y[0] == Approx(.25f));
    CHECK(y[1] == Approx(.75f));
    CHECK(y[2] == .5f);
    CHECK(y[3] == .5f);
    CHECK(y[4] == 1.f);
    CHECK(y[5] == Approx(.2f));
    CHECK(y[6] == Approx(.8f));
    // A later [softmax] without a tree clears the network's, as upstream's parser does.
    auto plain = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=7\n[softmax]\ntree=" + tree + "\n[softmax]\n");
    CHECK_FALSE(plain->hierarchy);
}

TEST_CASE("tree: [region] tree= computes what upstream's CPU build computes", "[tree]") {
    const std::string tree = write_temp("ok.tree", kTree);
    // 2x2 cells, 2 anchors, 4 + 1 + 7 entries each: 96 outputs, anchor a's entry e at cell c
    // at a*48 + e*4 + c.
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=2\nchannels=24\n[region]\nclasses=7\ncoords=4\nnum=2\nsoftmax=1\nanchors=1,1,2,2\ntree=" + tree + "\n");
    net->finalize();
    std::vector<float> in(96);
    for (int i = 0; i < 96; ++i) in[i] = float((i * 37) % 23) / 4.f - 2.5f;
    // Anchor 1, cell 0: objectness 2 and the class scores of the hand example.
    in[48 + 4 * 4] = 2.f;
    const float q[7] = {.6f, .4f, .7f, .3f, 1.f, .2f, .8f};
    for (int j = 0; j < 7; ++j) in[48 + (5 + j) * 4] = q[j];
    const float* y = net->forward(in.data());
    // Upstream's group softmaxes start at entry 5 and step n*w*h = 8, at temperature 0: the
    // groups {2, 2, 1, 2} from offsets 5, 7, 9, 10 reach indices 5..25, all NaN. The rest of
    // the class planes is the raw input; x, y and objectness are logistic where not written.
    for (int i = 0; i < 96; ++i) {
        const int a = i / 48, e = (i % 48) / 4;
        INFO("output " << i);
        if (i >= 5 && i <= 25) CHECK(std::isnan(y[i]));
        else if (e < 2 || e == 4) CHECK(y[i] == Approx(logistic(in[i])));
        else CHECK(y[i] == in[i]);
        (void)a;
    }
    // Decoding: the products along the tree of the raw scores, then the top prediction at
    // the -hier threshold; the box's probability is its objectness.
    auto top = [&](float hier) {
        const auto dets = dn::get_network_boxes(*net, 2, 2, .5f, hier, true);
        REQUIRE(dets.size() == 8);
        const dn::Detection& d = dets[4];  // anchor 1, cell 0
        int found = -1;
        for (int j = 0; j < 7; ++j)
            if (d.prob[j] != 0.f) {
                CHECK(found == -1);
                found = j;
                CHECK(d.prob[j] == y[48 + 16]);
            }
        for (int k = 0; k < 4; ++k) {  // anchor 0: NaN objectness, no class
            CHECK(dets[k].objectness == 0.f);
            for (int j = 0; j < 7; ++j) CHECK(dets[k].prob[j] == 0.f);
        }
        return found;
    };
    CHECK(top(.5f) == 0);
    CHECK(top(.2f) == 2);
    CHECK(top(.01f) == 6);
    CHECK(top(.2f) == 2);  // decoding does not change the layer's output
    // The objectness at or below thresh: no class.
    const auto low = dn::get_network_boxes(*net, 2, 2, .95f, .5f, true);
    CHECK(low[4].objectness == 0.f);
    for (int j = 0; j < 7; ++j) CHECK(low[4].prob[j] == 0.f);
}

TEST_CASE("tree: bad tree files and sizes are errors naming the file", "[tree]") {
    auto err = [](const std::string& text) {
        try {
            dn::read_tree(write_temp("bad.tree", text));
        } catch (const dn::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(err("a -1\nb 5\n"), Catch::Contains("bad.tree:2: parent 5 is not -1 or an earlier line (0..0)"));
    CHECK_THAT(err("a -1\nb 1\n"), Catch::Contains("bad.tree:2: parent 1 is not -1"));
    CHECK_THAT(err("a -1\nb x\n"), Catch::Contains("bad.tree:2: parent \"x\" is not an integer"));
    CHECK_THAT(err("a -1\n\nb 0\n"), Catch::Contains("bad.tree:2: expected \"NAME PARENT\""));
    CHECK_THAT(err(""), Catch::Contains("bad.tree: the tree has no nodes"));
    CHECK_THROWS_WITH(dn::read_tree("/nonexistent/9k.tree"), Catch::Contains("/nonexistent/9k.tree"));
    const std::string tree = write_temp("ok.tree", kTree);
    CHECK_THROWS_WITH(dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=8\n[softmax]\ntree=" + tree + "\n"),
                      Catch::Contains("test.cfg:6") && Catch::Contains("has 7 nodes, but the layer has 8 inputs"));
    CHECK_THROWS_WITH(dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=7\n[softmax]\ntree=/nonexistent/9k.tree\n"),
                      Catch::Contains("test.cfg:6") && Catch::Contains("/nonexistent/9k.tree"));
    dn::NetworkOptions ab;
    ab.dialect = dn::Dialect::alexeyab;
    CHECK_THROWS_WITH(dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=7\n[softmax]\ntree=" + tree + "\n", ab),
                      Catch::Contains("pjreddie's cfgs only"));
}
