// [Gaussian_yolo] (AlexeyAB's fork): its forward pass and its box decoding, on a hand-made
// layer input whose expected values follow from its formulas (get_gaussian_yolo_box,
// get_gaussian_yolo_detections, correct_gaussian_yolo_boxes) worked out by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "detection.h"
#include "error.h"
#include "layers/gaussian_yolo_layer.h"
#include "test_helpers.h"

namespace {

// AlexeyAB's float logistic.
float logistic(float x) { return 1.f / (1.f + std::exp(-x)); }

// A 2x2 grid, one masked anchor (anchor 1 of 2: w,h = 4,2 input pixels), two classes:
// 11 channels [x, sigma_x, y, sigma_y, w, sigma_w, h, sigma_h, obj, c0, c1][row][col].
std::string cfg(const std::string& extra = "") {
    return "[net]\nwidth=2\nheight=2\nchannels=11\n"
           "[Gaussian_yolo]\nmask=1\nanchors=1,1, 4,2\nclasses=2\nnum=2\n" + extra;
}

constexpr int kCell = 1;  // row 0, column 1: the one likely box
float& at(std::vector<float>& in, int entry, int cell) { return in[entry * 4 + cell]; }

std::vector<float> input() {
    std::vector<float> in(11 * 4, 0.f);
    for (int cell = 0; cell < 4; ++cell) at(in, 8, cell) = -10.f;  // objectness ~ 0
    at(in, 3, kCell) = -20.f;           // sigma_y ~ 2e-9
    at(in, 4, kCell) = std::log(2.f);   // w: exp -> 2
    at(in, 7, kCell) = -20.f;           // sigma_h ~ 2e-9
    at(in, 8, kCell) = 2.f;             // objectness .8808
    at(in, 10, kCell) = 3.f;            // class 1 .9526; class 0 stays .5
    return in;                          // x, y, sigma_x, sigma_w, h: 0
}

std::unique_ptr<dn::Network> run(const std::string& text, const std::vector<float>& in) {
    auto net = dn_test::net_from_text(text);
    net->finalize();
    net->forward(in.data());
    return net;
}

const dn::GaussianYoloLayer& layer_of(const dn::Network& net) {
    const auto* g = dynamic_cast<const dn::GaussianYoloLayer*>(&net.output_layer());
    REQUIRE(g != nullptr);
    return *g;
}

using dn_test::error_of;

}  // namespace

TEST_CASE("gaussian_yolo: logistic on all entries but w and h; scale_x_y on x and y only", "[alexeyab][detection]") {
    std::vector<float> in = input();
    at(in, 0, kCell) = 1.f;  // x
    at(in, 1, kCell) = 1.f;  // sigma_x
    at(in, 6, kCell) = 1.5f; // h
    auto net = run(cfg("scale_x_y=2\n"), in);
    REQUIRE(net->dialect == dn::Dialect::alexeyab);  // the section is AlexeyAB's
    const float* y = net->output_layer().output();
    // x: logistic, then x * 2 - .5; sigma_x: logistic only.
    CHECK(y[0 * 4 + kCell] == logistic(1.f) * 2.f - .5f);
    CHECK(y[1 * 4 + kCell] == logistic(1.f));
    CHECK(y[2 * 4 + kCell] == .5f);  // y: logistic(0) * 2 - .5
    CHECK(y[3 * 4 + kCell] == logistic(-20.f));
    CHECK(y[4 * 4 + kCell] == std::log(2.f));  // w untouched
    CHECK(y[5 * 4 + kCell] == .5f);            // sigma_w
    CHECK(y[6 * 4 + kCell] == 1.5f);           // h untouched
    CHECK(y[7 * 4 + kCell] == logistic(-20.f));
    CHECK(y[8 * 4 + kCell] == logistic(2.f));
    CHECK(y[9 * 4 + kCell] == .5f);
    CHECK(y[10 * 4 + kCell] == logistic(3.f));
    CHECK(y[8 * 4 + 0] == logistic(-10.f));
    CHECK(std::string(net->output_layer().kind()) == "gaussian_yolo");
}

TEST_CASE("gaussian_yolo: decoding, with class probabilities times 1 - mean sigma", "[alexeyab][detection]") {
    auto net = run(cfg(), input());
    REQUIRE(dn::detection_classes(*net) == 2);
    // Stretched (AlexeyAB's default): no correction on a 2x2 image.
    const auto dets = dn::get_network_boxes(*net, 2, 2, .5f, .5f, true, false);
    REQUIRE(dets.size() == 1);
    const dn::Detection& d = dets[0];
    CHECK(d.bbox.x == .75f);              // (column 1 + .5) / 2
    CHECK(d.bbox.y == .25f);              // (row 0 + .5) / 2
    CHECK(d.bbox.w == Approx(4.0));       // exp(log 2) * anchor 1's w 4 / net w 2
    CHECK(d.bbox.h == 1.f);               // exp(0) * anchor 1's h 2 / net h 2
    CHECK(d.objectness == logistic(2.f));
    // Mean sigma: (.5 + 2e-9 + .5 + 2e-9) / 4 = .25 in float. Class 1: obj * .9526 * .75;
    // class 0: .8808 * .5 * .75 = .33 is not above .5.
    const float uc = .25f;
    CHECK(d.prob[1] == static_cast<float>(double(logistic(2.f) * logistic(3.f)) * (1.0 - uc)));
    CHECK(d.prob[0] == 0.f);
    CHECK(dn::get_network_boxes(*net, 2, 2, .3f, .5f, true, false)[0].prob[0] ==
          static_cast<float>(double(logistic(2.f) * .5f) * .75));
    // objectness .88 passes .85, but obj * .95 * .75 = .63 does not.
    const auto high = dn::get_network_boxes(*net, 2, 2, .85f, .5f, true, false);
    REQUIRE(high.size() == 1);
    CHECK(high[0].prob[1] == 0.f);
    CHECK(dn::get_network_boxes(*net, 2, 2, .9f, .5f, true, false).empty());
}

TEST_CASE("gaussian_yolo: yolo_point left_top and right_bottom move x, y by half the box", "[alexeyab][detection]") {
    auto lt = run(cfg("yolo_point=left_top\n"), input());
    const auto a = dn::get_network_boxes(*lt, 2, 2, .5f, .5f, true, false);
    REQUIRE(a.size() == 1);
    CHECK(a[0].bbox.x == Approx(.75 + 2));  // + w / 2
    CHECK(a[0].bbox.y == .75f);             // .25 + h / 2
    auto rb = run(cfg("yolo_point=right_bottom\n"), input());
    const auto b = dn::get_network_boxes(*rb, 2, 2, .5f, .5f, true, false);
    REQUIRE(b.size() == 1);
    CHECK(b[0].bbox.x == Approx(.75 - 2));
    CHECK(b[0].bbox.y == -.25f);
}

TEST_CASE("gaussian_yolo: letterbox correction is pjreddie's (netw / new_w), not AlexeyAB's [yolo] 1 / ratio", "[alexeyab][detection]") {
    auto net = run(cfg(), input());
    const dn::GaussianYoloLayer& g = layer_of(*net);
    std::vector<dn::Detection> dets(1);
    dets[0].prob.assign(2, 0.f);
    // A 416x1 image letterboxed into a 416x416 network: new_w = 416, new_h = 1. The box's h,
    // exp(0) * 2 / 416 (in double, rounded to float), is multiplied by 416 / 1 = 416: 2
    // exactly, where [yolo]'s correction multiplies by 1 / (1 / 416.f) = 415.99997: 1.9999999.
    REQUIRE(g.get_detections(416, 1, 416, 416, .5f, true, dets.data(), true) == 1);
    const float h0 = static_cast<float>(1.0 * 2 / 416);
    CHECK(dets[0].bbox.h == h0 * 416.f);
    CHECK(dets[0].bbox.h == 2.f);
    CHECK(h0 * (1 / (1.f / 416)) != 2.f);  // the two corrections differ here
    // y = (.25 - (416 - 1) / 2. / 416) / (1 / 416.f)
    CHECK(dets[0].bbox.y == static_cast<float>((.25f - (416 - 1) / 2. / 416) / (1.f / 416)));
    // Pixels (relative = false) and stretched (letter = false): x * w only.
    REQUIRE(g.get_detections(416, 1, 416, 416, .5f, false, dets.data(), false) == 1);
    CHECK(dets[0].bbox.x == .75f * 416);
    CHECK(dets[0].bbox.h == h0 * 1);
}

TEST_CASE("gaussian_yolo: bad input at file:line", "[alexeyab][errors]") {
    CHECK(error_of("[net]\nwidth=2\nheight=2\nchannels=10\n[Gaussian_yolo]\nmask=1\nanchors=1,1, 4,2\nclasses=2\nnum=2\n") ==
          "test.cfg:5: [gaussian_yolo] #0: the input has 10 channels, but 1 anchors x (classes=2 + 9: x, y, w, h, their 4 sigmas and objectness) need 11");
    CHECK(error_of(cfg("yolo_point=middle\n")) ==
          "test.cfg:10: [gaussian_yolo] #0: yolo_point: unknown yolo_point \"middle\" (valid: center, left_top, right_bottom)");
    CHECK(error_of(cfg("nms_kind=cornersnms\n")) ==
          "test.cfg:10: [gaussian_yolo] #0: nms_kind: unknown nms_kind \"cornersnms\" (valid: default, greedynms, diounms)");
    CHECK(error_of("[net]\nwidth=2\nheight=2\nchannels=11\n[Gaussian_yolo]\nmask=2\nanchors=1,1, 4,2\nclasses=2\nnum=2\n") ==
          "test.cfg:6: [gaussian_yolo] #0: mask: anchor 2 is out of range: num=2 anchors are 0..1");
    // Training keys are quiet; an unknown key only warns.
    CHECK(error_of(cfg("uc_normalizer=1.0\niou_loss=giou\niou_thresh=0.213\nignore_thresh=.5\nrandom=1\n")).empty());
}
