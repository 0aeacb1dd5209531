// Detection: [yolo], [region] and [reorg] layers, box decoding, letterbox correction, NMS
// and drawing, on hand-made layer inputs with values worked out by hand from upstream's
// formulas.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "detection.h"
#include "error.h"
#include "draw.h"
#include "test_helpers.h"

namespace {

using dn_test::run;

std::vector<float> iota(int n) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = float(i);
    return v;
}

float logistic(float x) { return static_cast<float>(1. / (1. + std::exp(-double(x)))); }

// A 2x2 grid, two anchors (w,h = 1,1 and 2,1 input pixels), two classes: 14 channels laid
// out [anchor][x, y, w, h, obj, c0, c1][row][col]. Everything is unlikely except anchor 1
// at column 1, row 0.
const std::string kYolo = "[net]\nwidth=2\nheight=2\nchannels=14\n"
                          "[yolo]\nmask=0,1\nanchors=1,1, 2,1\nclasses=2\nnum=2\n";

std::vector<float> yolo_input() {
    std::vector<float> in(14 * 4, 0.f);
    auto at = [&](int anchor, int entry, int cell) -> float& { return in[(anchor * 7 + entry) * 4 + cell]; };
    for (int a = 0; a < 2; ++a)
        for (int cell = 0; cell < 4; ++cell) at(a, 4, cell) = -10.f;  // objectness ~ 0
    const int cell = 1;            // row 0, column 1
    at(1, 2, cell) = std::log(2.f);  // w: exp -> 2
    at(1, 4, cell) = 2.f;          // objectness logistic(2) = .8808
    at(1, 6, cell) = 3.f;          // class 1 logistic(3) = .9526; class 0 stays .5
    return in;
}

dn::Detection det(float x, float y, float w, float h, float objectness, std::vector<float> prob) {
    dn::Detection d;
    d.bbox = {x, y, w, h};
    d.objectness = objectness;
    d.prob = std::move(prob);
    return d;
}

}  // namespace

TEST_CASE("box: IoU as upstream", "[detection]") {
    const dn::Box a{.5f, .5f, .5f, .5f}, b{.75f, .5f, .5f, .5f}, far{2, 2, .5f, .5f};
    // overlap .25 x .5 = .125; union .25 + .25 - .125 = .375
    CHECK(dn::box_iou(a, b) == Approx(1.0 / 3));
    CHECK(dn::box_iou(a, a) == 1.f);
    CHECK(dn::box_iou(a, far) == 0.f);
    CHECK(dn::box_overlap(0, 1, 3, 1) == -2.f);
}

TEST_CASE("yolo: logistic on x, y, objectness and classes, not on w and h", "[detection]") {
    auto net = dn_test::net_from_text(kYolo);
    const std::vector<float> in = yolo_input();
    const auto y = run(*net, in);
    REQUIRE(y.size() == in.size());
    CHECK(y[0] == 0.5f);                               // anchor 0, x
    CHECK(y[(7 + 2) * 4 + 1] == in[(7 + 2) * 4 + 1]);  // anchor 1, w: untouched
    CHECK(y[(7 + 4) * 4 + 1] == logistic(2.f));
    CHECK(y[(7 + 6) * 4 + 1] == logistic(3.f));
    CHECK(std::string(net->layer(0).describe()) == "yolo");
}

TEST_CASE("yolo: decoding, thresholds and letterbox correction", "[detection]") {
    auto net = dn_test::net_from_text(kYolo);
    run(*net, yolo_input());
    REQUIRE(dn::detection_classes(*net) == 2);

    SECTION("image the size of the network: no correction") {
        const auto dets = dn::get_network_boxes(*net, 2, 2, .5f, .5f, true);
        REQUIRE(dets.size() == 1);
        const dn::Detection& d = dets[0];
        CHECK(d.bbox.x == .75f);  // (col 1 + .5) / 2
        CHECK(d.bbox.y == .25f);  // (row 0 + .5) / 2
        CHECK(d.bbox.w == Approx(2.0));  // exp(log 2) * anchor w 2 / net w 2
        CHECK(d.bbox.h == .5f);   // exp(0) * anchor h 1 / net h 2
        CHECK(d.objectness == logistic(2.f));
        CHECK(d.prob[0] == 0.f);  // .8808 * .5 = .44 is not above .5
        CHECK(d.prob[1] == logistic(2.f) * logistic(3.f));
    }
    SECTION("a lower threshold keeps class 0; a higher one drops the box") {
        CHECK(dn::get_network_boxes(*net, 2, 2, .4f, .5f, true)[0].prob[0] == logistic(2.f) * .5f);
        CHECK(dn::get_network_boxes(*net, 2, 2, .9f, .5f, true).empty());
    }
    SECTION("a 4x2 image letterboxed into 2x2: y is squeezed back") {
        // new_w = 2, new_h = 2*2/4 = 1: y' = (y - .25) / .5, h' = h * 2
        const auto rel = dn::get_network_boxes(*net, 4, 2, .5f, .5f, true);
        REQUIRE(rel.size() == 1);
        CHECK(rel[0].bbox.x == .75f);
        CHECK(rel[0].bbox.y == 0.f);
        CHECK(rel[0].bbox.h == 1.f);
        const auto px = dn::get_network_boxes(*net, 4, 2, .5f, .5f, false);
        CHECK(px[0].bbox.x == 3.f);
        CHECK(px[0].bbox.w == Approx(8.0));
        CHECK(px[0].bbox.h == 2.f);
    }
}

TEST_CASE("region: softmax over classes, one box per anchor and cell", "[detection]") {
    // 2x1 grid, one anchor of 3 x 2 cells, coords 4, classes 2: 7 channels.
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=7\n"
                                      "[region]\nanchors=3,2\nclasses=2\ncoords=4\nnum=1\nsoftmax=1\n");
    std::vector<float> in(14, 0.f);
    in[3 * 2] = std::log(2.f);  // h of cell 0
    in[4 * 2 + 1] = -5.f;       // objectness of cell 1: logistic(-5) = .0067
    in[6 * 2] = std::log(3.f);  // class 1 of cell 0: softmax .25 / .75
    const auto y = run(*net, in);
    CHECK(y[5 * 2] == Approx(.25));
    CHECK(y[6 * 2] == Approx(.75));
    CHECK(y[4 * 2] == .5f);
    CHECK(std::string(net->layer(0).describe()) == "detection");

    const auto dets = dn::get_network_boxes(*net, 2, 1, .3f, .5f, true);
    REQUIRE(dets.size() == 2);
    CHECK(dets[0].bbox.x == .25f);
    CHECK(dets[0].bbox.y == .5f);
    CHECK(dets[0].bbox.w == 1.5f);  // exp(0) * 3 / grid w 2
    CHECK(dets[0].bbox.h == Approx(4.0));
    CHECK(dets[0].objectness == .5f);
    CHECK(dets[0].prob[0] == 0.f);  // .5 * .25 is not above .3
    CHECK(dets[0].prob[1] == Approx(.375));
    CHECK(dets[1].objectness == 0.f);  // below thresh: no class probabilities
    CHECK(dets[1].prob[1] == 0.f);
    CHECK(dets[1].bbox.x == .75f);
}

TEST_CASE("region: logistic classes without softmax; background", "[detection]") {
    auto plain = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=7\n[region]\nclasses=2\n");
    const auto y = run(*plain, {0, 0, 1, 1, 0, 2, -2});
    CHECK(y[2] == 1.f);  // w, h untouched
    CHECK(y[5] == logistic(2.f));
    CHECK(y[6] == logistic(-2.f));
    // background=1: no objectness logistic; softmax over the objectness slot and the classes.
    auto bg = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=7\n[region]\nclasses=2\nsoftmax=1\nbackground=1\n");
    const auto z = run(*bg, {0, 0, 0, 0, 0, 0, 0});
    CHECK(z[4] == Approx(1 / 3.0));
    CHECK(z[6] == Approx(1 / 3.0));
    const auto dets = dn::get_network_boxes(*bg, 1, 1, .3f, .5f, true);
    CHECK(dets[0].objectness == 1.f);
    CHECK(dets[0].prob[0] == Approx(1 / 3.0));
}

TEST_CASE("region: AlexeyAB's decoding: raw classes without softmax, objectness 1, cell by cell, stretched", "[detection][alexeyab]") {
    // 2x1 grid, anchors 3x2 and 1x1 cells, classes 2: 14 channels [anchor][x, y, w, h, obj, c0, c1][col].
    dn::NetworkOptions o;
    o.dialect = dn::Dialect::alexeyab;
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=14\n[region]\nanchors=3,2, 1,1\nclasses=2\ncoords=4\nnum=2\n", o);
    std::vector<float> in(14 * 2, 0.f);
    in[6 * 2 + 0] = .9f;  // anchor 0, class 1, cell 0: raw .9 (pjreddie: logistic(.9) = .71)
    const auto y = run(*net, in);
    CHECK(y[4 * 2] == .5f);        // objectness: logistic(0)
    CHECK(y[6 * 2] == .9f);        // classes stay raw
    CHECK(y[0] == 0.f);            // x: the logistic comes at decoding
    // A 2x2 image stretched to the 2x1 network: no correction.
    const auto dets = dn::get_network_boxes(*net, 2, 2, .3f, .5f, true, false);
    REQUIRE(dets.size() == 4);
    // Cell by cell, anchor fastest: cell 0 anchor 0, cell 0 anchor 1, cell 1 anchor 0, ...
    CHECK(dets[0].bbox.x == .25f);  // (0 + logistic(0)) / 2
    CHECK(dets[1].bbox.x == .25f);
    CHECK(dets[2].bbox.x == .75f);
    CHECK(dets[0].bbox.w == 1.5f);  // exp(0) * 3 / 2
    CHECK(dets[1].bbox.w == .5f);   // anchor 1: 1 / 2
    CHECK(dets[0].bbox.h == 2.f);   // exp(0) * 2 / 1
    for (const dn::Detection& d : dets) CHECK(d.objectness == 1.f);
    CHECK(dets[0].prob[1] == .5f * .9f);  // objectness .5 * raw class .9
    CHECK(dets[0].prob[0] == 0.f);        // .5 * 0
    CHECK(dets[1].prob[1] == 0.f);
    // Letterboxed (-letter_box): 2x2 into 2x1 keeps a 1x1 middle: x' = (x - .25) / .5.
    const auto lb = dn::get_network_boxes(*net, 2, 2, .3f, .5f, true, true);
    CHECK(lb[0].bbox.x == 0.f);
    CHECK(lb[0].bbox.w == 3.f);
    // classfix=-1 zeroes objectness below .5 (here .5 is not below); coords other than 4 and
    // background are refused.
    auto fix = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=14\n[region]\nanchors=3,2, 1,1\nclasses=2\nnum=2\nclassfix=-1\n", o);
    in[4 * 2 + 0] = -1.f;  // anchor 0 cell 0: objectness .27
    run(*fix, in);
    CHECK(dn::get_network_boxes(*fix, 2, 2, .1f, .5f, true, false)[0].prob[1] == 0.f);
    run(*net, in);
    CHECK(dn::get_network_boxes(*net, 2, 2, .1f, .5f, true, false)[0].prob[1] > .1f);
    try {
        dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=8\n[region]\nclasses=2\ncoords=5\n", o);
        FAIL("coords=5 accepted");
    } catch (const dn::Error& e) {
        CHECK(std::string(e.what()) == "test.cfg:7: [region] #0: coords: coords=5: AlexeyAB's [region] decodes 4 coords only");
    }
}

TEST_CASE("nms: upstream's do_nms_sort order and suppression", "[detection]") {
    std::vector<dn::Detection> dets;
    dets.push_back(det(.5f, .5f, .2f, .2f, .9f, {.6f, 0}));   // A
    dets.push_back(det(.1f, .1f, .2f, .2f, 0.f, {0, 0}));     // B: no objectness
    dets.push_back(det(.52f, .5f, .2f, .2f, .9f, {.8f, .7f}));  // C: IoU(A, C) = .82
    dets.push_back(det(.9f, .9f, .1f, .1f, .9f, {.5f, 0}));   // D: apart
    dn::do_nms_sort(dets, 2, .45f);
    // B is swapped with the last box (D); class 0 sorts C, A, D and suppresses A; the
    // stable class-1 sort keeps A before D.
    REQUIRE(dets.size() == 4);
    CHECK(dets[0].prob == std::vector<float>{.8f, .7f});
    CHECK(dets[1].bbox.x == .5f);
    CHECK(dets[1].prob == std::vector<float>{0, 0});
    CHECK(dets[2].prob == std::vector<float>{.5f, 0});
    CHECK(dets[3].objectness == 0.f);
}

TEST_CASE("nms: equal probabilities keep their order; IoU below the threshold is kept", "[detection]") {
    std::vector<dn::Detection> dets;
    dets.push_back(det(.2f, .5f, .1f, .1f, 1, {.5f}));
    dets.push_back(det(.8f, .5f, .1f, .1f, 1, {.5f}));
    dets.push_back(det(.5f, .5f, .1f, .1f, 1, {.7f}));
    // IoU .5 with the first: below the .6 threshold, so kept.
    dets.push_back(det(.2f + .1f / 3, .5f, .1f, .1f, 1, {.4f}));
    dn::do_nms_sort(dets, 1, .6f);
    CHECK(dets[0].bbox.x == .5f);
    CHECK(dets[1].bbox.x == .2f);
    CHECK(dets[2].bbox.x == .8f);
    CHECK(dets[3].prob[0] == .4f);
}

TEST_CASE("detections: pixel boxes truncate and clip as draw_detections", "[detection]") {
    const dn::PixelBox p = dn::to_pixels({.5f, .5f, .25f, .5f}, 100, 50);
    CHECK(p.left == 37);
    CHECK(p.right == 62);
    CHECK(p.top == 12);
    CHECK(p.bottom == 37);
    const dn::PixelBox q = dn::to_pixels({0.f, 1.f, .5f, .5f}, 100, 50);
    CHECK(q.left == 0);
    CHECK(q.right == 25);
    CHECK(q.top == 37);
    CHECK(q.bottom == 49);
}

TEST_CASE("detections: a network without [yolo] or [region] is refused", "[detection]") {
    auto net = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=2\n[softmax]\n");
    CHECK_THROWS_WITH(dn::detection_classes(*net), Catch::Contains("not a detection network"));
}

TEST_CASE("reorg: upstream's index mapping, reverse, flatten and extra", "[detection]") {
    // 2x2x4 -> 1x1x16: upstream reads the input as one 4x4 plane and stacks its 2x2 phases.
    auto fwd = dn_test::net_from_text("[net]\nwidth=2\nheight=2\nchannels=4\n[reorg]\nstride=2\n");
    REQUIRE(fwd->layer(0).out.c == 16);
    CHECK(run(*fwd, iota(16)) == std::vector<float>{0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15});
    CHECK(fwd->layer(0).describe() == "reorg              / 2     2 x   2 x   4   ->     1 x   1 x  16");
    // 1x1x16 -> 2x2x4 reversed: out[c*4 + phase] = in[phase*4 + c].
    auto rev = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=16\n[reorg]\nstride=2\nreverse=1\n");
    REQUIRE(rev->layer(0).out.w == 2);
    CHECK(run(*rev, iota(16)) == std::vector<float>{0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15});
    // flatten: CHW to HWC.
    auto flat = dn_test::net_from_text("[net]\nwidth=3\nheight=1\nchannels=2\n[reorg]\nflatten=1\n");
    CHECK(run(*flat, {0, 1, 2, 10, 11, 12}) == std::vector<float>{0, 10, 1, 11, 2, 12});
    auto unflat = dn_test::net_from_text("[net]\nwidth=3\nheight=1\nchannels=2\n[reorg]\nflatten=1\nreverse=1\n");
    CHECK(run(*unflat, {0, 10, 1, 11, 2, 12}) == std::vector<float>{0, 1, 2, 10, 11, 12});
    auto extra = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n[reorg]\nextra=3\n");
    CHECK(run(*extra, {4, 5}) == std::vector<float>{4, 5, 0, 0, 0});
    CHECK(extra->layer(0).describe() == "reorg                 2   ->     5");
}

TEST_CASE("detection layers: cfg errors name file, line and key", "[detection][cfg]") {
    const std::string net = "[net]\nwidth=4\nheight=4\nchannels=14\n";
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[yolo]\nclasses=2\nnum=2\nmask=0,2\n"),
                      Catch::Contains("test.cfg:8: [yolo] #0: mask: anchor 2 is out of range"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[yolo]\nclasses=3\nnum=2\n"),
                      Catch::Contains("test.cfg:5: [yolo] #0: the input has 14 channels, but 2 anchors x (classes=3 + 5) need 16"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[yolo]\nclasses=2\nnum=2\nanchors=1,2,3,4,5\n"),
                      Catch::Contains("test.cfg:8: [yolo] #0: anchors: 5 values given"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[yolo]\nclasses=2\nnum=2\nanchors=1,x\n"),
                      Catch::Contains("anchors: expected comma-separated numbers"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[region]\nclasses=3\nnum=2\n"),
                      Catch::Contains("test.cfg:5: [region] #0: the input has 14 channels, but num=2 x (classes=3 + coords=4 + 1) need 16"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[region]\nclasses=2\nnum=2\ntree=t\n"), Catch::Contains("tree: t: cannot open"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[region]\nclasses=1\nnum=2\ncoords=3\n"), Catch::Contains("test.cfg:8: [region] #0: coords: expected an integer in [4, 65536], got \"3\""));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[reorg]\nstride=3\n"), Catch::Contains("test.cfg:6: [reorg] #0: stride: stride 3 does not divide the 4x4 input"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[reorg]\nstride=4\n"), Catch::Contains("stride^2 = 16 does not divide the 14 input channels"));
    CHECK_THROWS_WITH(dn_test::net_from_text(net + "[reorg]\nstride=2\nreverse=1\n"), Catch::Contains("stride 2 does not square-divide the 14 channels"));
}

TEST_CASE("draw: upstream's class colours and box outlines", "[detection]") {
    float rgb[3];
    dn::class_color(0, 80, rgb);  // offset 0: magenta
    CHECK((rgb[0] == 1.f && rgb[1] == 0.f && rgb[2] == 1.f));
    dn::class_color(1, 80, rgb);  // offset 123457 % 80 = 17: ratio 1.0625 between blue and cyan
    CHECK((rgb[0] == 1.f && rgb[1] == .0625f && rgb[2] == 0.f));

    dn::Image im(10, 10, 3, 0.f);
    const float red[3] = {1, 0, 0};
    dn::draw_box_width(im, 2, 2, 7, 7, 2, red);
    CHECK(im.at(2, 2, 0) == 1.f);
    CHECK(im.at(3, 5, 0) == 1.f);
    CHECK(im.at(7, 7, 0) == 1.f);
    CHECK(im.at(4, 4, 0) == 0.f);
    CHECK(im.at(1, 1, 0) == 0.f);
    CHECK(im.at(2, 2, 1) == 0.f);
    dn::draw_box(im, -5, -5, 50, 50, red);  // clamped to the image
    CHECK(im.at(9, 9, 0) == 1.f);

    // The label sits above the box when it fits, and is clipped at the image edges.
    dn::Image big(200, 300, 3, 0.f);
    const float green[3] = {0, 1, 0};
    dn::draw_label(big, 100, 190, "dog, cat", green);
    CHECK(big.at(195, 99, 1) == 1.f);   // bar above row 100, padding in the class colour
    CHECK(big.at(195, 100, 1) == 0.f);  // nothing drawn at or below the given row
    dn::draw_label(big, 0, 0, "x", green);
    CHECK(big.at(0, 0, 1) == 1.f);  // no room above: drawn below the row instead
}
