// do_nms_sort (dn:: and the C API) against a line-by-line transcription of upstream's
// do_nms_sort (pjreddie src/box.c, with qsort as the stable merge sort glibc uses for it) on
// random box sets: ties in probability and IoU, repeated boxes, empty boxes (NaN IoU), classes
// with no live box, negative probabilities, boxes without objectness, infinite, huge and NaN
// boxes, thresholds from -0.1 to 1.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "darknet.h"
#include "detection.h"
#include "nms_reference.h"

namespace {

std::uint32_t bits(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

std::string describe(const dn::Detection& d) {
    std::ostringstream o;
    o << "obj " << d.objectness << " box " << d.bbox.x << "," << d.bbox.y << "," << d.bbox.w << ","
      << d.bbox.h << " sort_class " << d.sort_class << " prob";
    for (float p : d.prob) o << " " << p;
    return o.str();
}

// Empty when equal bit for bit, else the first differing position.
std::string first_difference(const std::vector<dn::Detection>& want,
                             const std::vector<dn::Detection>& got) {
    if (want.size() != got.size()) return "sizes differ";
    for (std::size_t i = 0; i < want.size(); ++i) {
        const dn::Detection &a = want[i], &b = got[i];
        bool same = bits(a.objectness) == bits(b.objectness) && a.sort_class == b.sort_class &&
                    bits(a.bbox.x) == bits(b.bbox.x) && bits(a.bbox.y) == bits(b.bbox.y) &&
                    bits(a.bbox.w) == bits(b.bbox.w) && bits(a.bbox.h) == bits(b.bbox.h) &&
                    a.prob.size() == b.prob.size();
        // A -0 probability is not live (it compares equal to 0); upstream overwrites it with +0
        // when a survivor overlaps it, nms_sort_live leaves it -0. Zeros compare by value.
        for (std::size_t c = 0; same && c < a.prob.size(); ++c)
            same = bits(a.prob[c]) == bits(b.prob[c]) || (a.prob[c] == 0 && b.prob[c] == 0);
        if (!same)
            return "position " + std::to_string(i) + ": want " + describe(a) + "; got " + describe(b);
    }
    return "";
}

struct RandomSet {
    std::vector<dn::Detection> dets;
    int classes = 0;
    float thresh = 0;
};

RandomSet random_set(std::mt19937& rng, int max_n, int max_classes) {
    auto uni = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    auto real = [&rng]() { return std::uniform_real_distribution<float>(0.f, 1.f)(rng); };
    RandomSet s;
    const int n = uni(0, max_n);
    s.classes = uni(0, max_classes);
    static const float kThresh[] = {.45f, .5f, .3f, 0.f, 1.f, -.1f, .7f};
    s.thresh = kThresh[uni(0, 6)];
    static const float kZero[] = {0.f, .5f, .8f, .95f, 1.f};
    const float zero_rate = kZero[uni(0, 4)];
    // Coarse positions and sizes repeat boxes and IoU values; size 0 gives 0/0 IoUs.
    static const float kSize[] = {0.f, .05f, .1f, .2f, .3f, .5f, .25f};
    static const float kProb[] = {.25f, .5f, .75f, 1.f, .3f};
    for (int i = 0; i < n; ++i) {
        dn::Detection d;
        if (uni(0, 3) == 0) {
            d.bbox = {real(), real(), real() * .6f, real() * .6f};
        } else {
            d.bbox = {uni(1, 9) / 10.f, uni(1, 9) / 10.f, kSize[uni(0, 6)], kSize[uni(0, 6)]};
        }
        // Now and then a box as random weights or odd callers make them: infinite or huge
        // sizes (non-finite area, or a finite area with edges far out or overflowing),
        // NaN centres, negative widths.
        switch (uni(0, 40)) {
            case 0: d.bbox.w = INFINITY; break;
            case 1: d.bbox.h = INFINITY; break;
            case 2: d.bbox.w = 1e30f; d.bbox.h = 1e-30f; break;
            case 3: d.bbox.x = NAN; break;
            case 4: d.bbox.w = -.2f; break;
            case 5: d.bbox.x = 3e38f; d.bbox.w = 1e38f; d.bbox.h = 1e-37f; break;
            case 6: d.bbox.w = 40.f; d.bbox.h = 30.f; break;
            default: break;
        }
        d.objectness = uni(0, 9) == 0 ? 0.f : (i + 1) / 1024.f;  // unique: tells boxes apart
        d.prob.resize(std::size_t(s.classes));
        for (float& p : d.prob) {
            if (real() < zero_rate) {
                p = uni(0, 20) == 0 ? -0.f : 0.f;
            } else {
                const int kind = uni(0, 19);
                p = kind == 0 ? -kProb[uni(0, 4)] : kind < 10 ? kProb[uni(0, 4)] : real();
            }
        }
        s.dets.push_back(d);
    }
    return s;
}

// The C API's do_nms_sort on a copy of the set, converted back.
std::vector<dn::Detection> via_c_api(const std::vector<dn::Detection>& in, int classes, float thresh) {
    const int n = static_cast<int>(in.size());
    std::vector<detection> c(in.size());
    std::vector<std::vector<float>> probs(in.size());
    for (int i = 0; i < n; ++i) {
        probs[i] = in[i].prob;
        c[i].bbox = {in[i].bbox.x, in[i].bbox.y, in[i].bbox.w, in[i].bbox.h};
        c[i].classes = classes;
        c[i].prob = probs[i].data();
        c[i].mask = nullptr;
        c[i].objectness = in[i].objectness;
        c[i].sort_class = in[i].sort_class;
    }
    do_nms_sort(c.data(), n, classes, thresh);
    std::vector<dn::Detection> out(in.size());
    for (int i = 0; i < n; ++i) {
        out[i].bbox = {c[i].bbox.x, c[i].bbox.y, c[i].bbox.w, c[i].bbox.h};
        out[i].prob.assign(c[i].prob, c[i].prob + classes);
        out[i].objectness = c[i].objectness;
        out[i].sort_class = c[i].sort_class;
    }
    return out;
}

void check_random_sets(int sets, int max_n, int max_classes) {
    const auto seed = Catch::rngSeed();
    CAPTURE(seed);
    std::mt19937 rng(seed);
    int live_sets = 0;
    for (int t = 0; t < sets; ++t) {
        const RandomSet s = random_set(rng, max_n, max_classes);
        std::vector<dn::Detection> want = s.dets, got = s.dets;
        dn_test::upstream_do_nms_sort(want, s.classes, s.thresh);
        dn::do_nms_sort(got, s.classes, s.thresh);
        INFO("set " << t << ": " << s.dets.size() << " boxes, " << s.classes << " classes, thresh "
                    << s.thresh);
        REQUIRE(first_difference(want, got) == "");
        REQUIRE(first_difference(want, via_c_api(s.dets, s.classes, s.thresh)) == "");
        for (const dn::Detection& d : want)
            for (float p : d.prob) live_sets += p != 0;
    }
    CHECK(live_sets > sets);  // the sets did keep boxes
}

}  // namespace

TEST_CASE("nms: do_nms_sort equals upstream's on random small sets", "[detection][nms]") {
    check_random_sets(4000, 24, 5);
}

TEST_CASE("nms: do_nms_sort equals upstream's on random larger sets", "[detection][nms]") {
    check_random_sets(400, 300, 8);
    check_random_sets(20, 600, 30);
}

TEST_CASE("nms: ties keep the order the earlier classes left", "[detection][nms]") {
    // By hand: class 0 sorts B (.9), A (.5), C (0). Class 1 ties all three at .5, so its
    // stable sort keeps that order, not the index order A, B, C; B then suppresses C (the same
    // box, IoU 1) and A (IoU 0) survives.
    auto det = [](float x, float obj, std::vector<float> p) {
        dn::Detection d;
        d.bbox = {x, .5f, .2f, .2f};
        d.objectness = obj;
        d.prob = std::move(p);
        return d;
    };
    std::vector<dn::Detection> dets = {det(.8f, 1, {.5f, .5f}), det(.2f, 2, {.9f, .5f}),
                                       det(.2f, 3, {0.f, .5f})};
    dn::do_nms_sort(dets, 2, .45f);
    REQUIRE(dets.size() == 3);
    CHECK(dets[0].objectness == 2);
    CHECK(dets[1].objectness == 1);
    CHECK(dets[2].objectness == 3);
    CHECK(dets[2].prob[1] == 0);
    CHECK(dets[1].prob[1] == .5f);
    CHECK(dets[0].sort_class == 1);
}
