// The C API (include/darknet.h) and the C++ facade over it (include/darknet.hpp): loading
// and its errors, method setters and their queries, batch changes, images, labels, top_k,
// detections and NMS on hand-made boxes, and the thread-local error string.
#include <catch2/catch.hpp>

#include "conv_backend.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "darknet.hpp"

namespace {

// Tiny-Darknet's first layers with per-layer method= keys (conv layers 0, 2, 3, 4).
const char* kCfg = "tests/data/mixed-methods.cfg";
const int kConvLayers[] = {0, 2, 3, 4};

std::string temp_path(const char* name) { return std::string("/tmp/dn_test_capi_") + name; }

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// A quiet load with seeded random weights (NULL weights: those of `darknet init`, seed 1).
network* load_quiet(const char* cfg = kCfg, const char* weights = nullptr) {
    darknet_set_log_level(1);
    network* net = load_network(const_cast<char*>(cfg), const_cast<char*>(weights), 0);
    darknet_set_log_level(2);
    return net;
}

std::vector<float> test_input(network* net, int batch = 1) {
    const std::size_t n = std::size_t(network_width(net)) * network_height(net) *
                          darknet_network_channels(net);
    std::vector<float> in(n * batch);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = float((i * 37) % 101) / 100.f;
    return in;
}

std::vector<float> run(network* net, std::vector<float> in) {
    const float* out = network_predict(net, in.data());
    REQUIRE(out);
    return std::vector<float>(out, out + darknet_network_outputs(net));
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    float d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

bool error_contains(const char* what) {
    return std::strstr(darknet_last_error(), what) != nullptr;
}

}  // namespace

TEST_CASE("c api: load, shape queries and prediction", "[capi]") {
    network* net = load_quiet();
    REQUIRE(net);
    CHECK(network_width(net) == 64);
    CHECK(network_height(net) == 48);
    CHECK(darknet_network_channels(net) == 3);
    CHECK(darknet_network_outputs(net) == 10);
    CHECK(darknet_network_classes(net) == 10);
    CHECK(darknet_network_layers(net) == 7);
    CHECK(std::string(darknet_layer_type(net, 0)) == "conv");
    CHECK(std::string(darknet_layer_type(net, 1)) == "max");
    CHECK(darknet_layer_type(net, 7) == nullptr);
    CHECK(error_contains("layer 7 is out of range"));
    // The cfg's own choices: mcmk and im2row per layer, im2col from [net] for the rest.
    CHECK(std::string(darknet_layer_conv_method(net, 0)) == "mcmk");
    CHECK(std::string(darknet_layer_conv_method(net, 2)) == "im2row");
    CHECK(std::string(darknet_layer_conv_method(net, 3)) == "im2col");
    const std::vector<float> p = run(net, test_input(net));
    float sum = 0;
    for (float v : p) sum += v;
    CHECK(sum == Approx(1.f).epsilon(1e-5));  // ends in softmax
    free_network(net);
    free_network(nullptr);
    CHECK(network_width(nullptr) == 0);
}

TEST_CASE("c api: DARKNET_CONV_METHOD applies at load, like the CLI", "[capi]") {
    setenv("DARKNET_CONV_METHOD", "mcmk", 1);
    network* net = load_quiet();
    unsetenv("DARKNET_CONV_METHOD");
    REQUIRE(net);
    for (int i : kConvLayers) CHECK(std::string(darknet_layer_conv_method(net, i)) == "mcmk");
    free_network(net);

    setenv("DARKNET_CONV_METHOD", "gpu", 1);
    CHECK(load_quiet() == nullptr);
    unsetenv("DARKNET_CONV_METHOD");
    CHECK(error_contains("DARKNET_CONV_METHOD: unknown convolution method \"gpu\""));
}

TEST_CASE("c api: errors return NULL and name the file", "[capi]") {
    CHECK(load_quiet("/nonexistent/x.cfg") == nullptr);
    CHECK(error_contains("/nonexistent/x.cfg"));

    CHECK(load_quiet(kCfg, "/nonexistent/x.weights") == nullptr);
    CHECK(error_contains("/nonexistent/x.weights"));

    const std::string bad = temp_path("bad.cfg");
    write_file(bad, "[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=abc\n");
    CHECK(load_quiet(bad.c_str()) == nullptr);
    CHECK(error_contains("dn_test_capi_bad.cfg:6: [convolutional] #0: filters: expected an integer"));

    const std::string shortw = temp_path("short.weights");
    write_file(shortw, std::string(40, '\0'));
    CHECK(load_quiet(kCfg, shortw.c_str()) == nullptr);
    CHECK(error_contains("dn_test_capi_short.weights"));
    std::remove(bad.c_str());
    std::remove(shortw.c_str());

    const image im = load_image_color(const_cast<char*>("/nonexistent/cat.png"), 0, 0);
    CHECK(im.data == nullptr);
    CHECK(im.w == 0);
    CHECK(error_contains("/nonexistent/cat.png"));

    CHECK(get_labels(const_cast<char*>("/nonexistent/names")) == nullptr);
    CHECK(error_contains("/nonexistent/names"));
    CHECK(network_predict(nullptr, nullptr) == nullptr);
    CHECK(error_contains("network_predict: network is NULL"));
}

TEST_CASE("c api: the last error is per thread", "[capi]") {
    CHECK(load_quiet("/nonexistent/main.cfg") == nullptr);
    std::string other;
    std::thread t([&] {
        CHECK(std::string(darknet_last_error()).empty());
        CHECK(load_quiet("/nonexistent/thread.cfg") == nullptr);
        other = darknet_last_error();
    });
    t.join();
    CHECK(other.find("thread.cfg") != std::string::npos);
    CHECK(error_contains("main.cfg"));
}

TEST_CASE("c api: method setters change the method and keep the predictions", "[capi]") {
    CHECK(std::string(darknet_conv_methods()) == dn::conv_backend_names());
    network* net = load_quiet();
    REQUIRE(net);
    const std::vector<float> in = test_input(net);
    const std::vector<float> ref = run(net, in);
    for (const char* m : {"im2row", "IM2COL", "mcmk"}) {
        CAPTURE(m);
        REQUIRE(darknet_set_conv_method(net, m) == 1);
        for (int i : kConvLayers) {
            std::string got = darknet_layer_conv_method(net, i);
            for (char& c : got) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            std::string want = m;
            for (char& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            CHECK(got == want);
        }
        CHECK(max_abs_diff(run(net, in), ref) < 1e-5f);
    }

    REQUIRE(darknet_set_layer_conv_method(net, 2, "im2col") == 1);
    CHECK(std::string(darknet_layer_conv_method(net, 0)) == "mcmk");
    CHECK(std::string(darknet_layer_conv_method(net, 2)) == "im2col");
    CHECK(max_abs_diff(run(net, in), ref) < 1e-5f);

    CHECK(darknet_set_conv_method(net, "fft") == 0);
    CHECK(error_contains(std::string("unknown convolution method \"fft\" (valid: " + dn::conv_backend_names() + ", auto)").c_str()));
    CHECK(std::string(darknet_layer_conv_method(net, 2)) == "im2col");  // unchanged
    CHECK(darknet_set_layer_conv_method(net, 0, "1x1") == 0);  // layer 0 is 3x3
    CHECK(error_contains("method 1x1 cannot run layer 0"));
    REQUIRE(darknet_set_conv_method(net, "auto") == 1);
    CHECK(max_abs_diff(run(net, in), ref) < 1e-5f);
    CHECK(darknet_set_layer_conv_method(net, 1, "mcmk") == 0);
    CHECK(error_contains("layer 1 is [max], not convolutional"));
    CHECK(darknet_set_layer_conv_method(net, 99, "mcmk") == 0);
    CHECK(error_contains("layer 99 is out of range"));
    CHECK(darknet_layer_conv_method(net, 1) == nullptr);
    CHECK(error_contains("not convolutional"));
    CHECK(darknet_set_conv_method(net, nullptr) == 0);

    // 2 explicitly: 0 (all cores) is 1 on a one-core machine and would compare nothing.
    REQUIRE(darknet_set_threads(net, 1) == 1);
    const std::vector<float> one = run(net, in);
    REQUIRE(darknet_set_threads(net, 2) == 1);
    CHECK(run(net, in) == one);
    REQUIRE(darknet_set_threads(net, 0) == 1);
    CHECK(run(net, in) == one);
    CHECK(darknet_set_threads(net, -1) == 0);
    free_network(net);
}

TEST_CASE("c api: set_batch_network rebuilds and keeps weights and methods", "[capi]") {
    network* net = load_quiet();
    REQUIRE(net);
    REQUIRE(darknet_set_layer_conv_method(net, 3, "mcmk") == 1);
    const std::vector<float> in = test_input(net);
    const std::vector<float> one = run(net, in);
    const int outputs = darknet_network_outputs(net);

    set_batch_network(net, 2);
    CHECK(std::string(darknet_layer_conv_method(net, 3)) == "mcmk");
    std::vector<float> two_in = in;
    two_in.insert(two_in.end(), in.begin(), in.end());
    const float* out = network_predict(net, two_in.data());
    REQUIRE(out);
    CHECK(max_abs_diff(std::vector<float>(out, out + outputs), one) < 1e-6f);
    CHECK(max_abs_diff(std::vector<float>(out + outputs, out + 2 * outputs), one) < 1e-6f);

    set_batch_network(net, 0);
    CHECK(error_contains("batch 0 is not positive"));
    set_batch_network(net, 1);
    CHECK(max_abs_diff(run(net, in), one) < 1e-6f);
    free_network(net);
}

TEST_CASE("c api: images", "[capi]") {
    image z = make_image(4, 3, 2);
    REQUIRE(z.data);
    CHECK(z.w == 4);
    CHECK(z.h == 3);
    CHECK(z.c == 2);
    for (int i = 0; i < 24; ++i) CHECK(z.data[i] == 0.f);
    free_image(z);
    CHECK(make_image(-1, 3, 3).data == nullptr);

    image im = load_image_color(const_cast<char*>("data/chelsea.png"), 0, 0);
    REQUIRE(im.data);
    CHECK(im.c == 3);
    image r = resize_image(im, 50, 40);
    REQUIRE(r.data);
    CHECK((r.w == 50 && r.h == 40 && r.c == 3));
    image lb = letterbox_image(im, 64, 64);
    REQUIRE(lb.data);
    CHECK((lb.w == 64 && lb.h == 64));
    CHECK(lb.data[0] == 0.5f);  // chelsea is wider than tall: grey bands top and bottom
    image sized = load_image(const_cast<char*>("data/chelsea.png"), 50, 40, 3);
    REQUIRE(sized.data);
    CHECK(std::memcmp(sized.data, r.data, 50 * 40 * 3 * sizeof(float)) == 0);
    image grey = load_image(const_cast<char*>("data/chelsea.png"), 0, 0, 1);
    CHECK(grey.c == 1);
    CHECK(letterbox_image(im, 0, 5).data == nullptr);
    CHECK(error_contains("letterbox_image: bad image size"));

    // network_predict_image == letterbox + network_predict, as upstream.
    network* net = load_quiet();
    REQUIRE(net);
    image boxed = letterbox_image(im, network_width(net), network_height(net));
    const std::vector<float> a = run(net, std::vector<float>(boxed.data, boxed.data + boxed.w * boxed.h * boxed.c));
    const float* b = network_predict_image(net, im);
    REQUIRE(b);
    CHECK(std::vector<float>(b, b + a.size()) == a);
    CHECK(network_predict_image(net, grey) == nullptr);
    CHECK(error_contains("the image has 1 channels, the network takes 3"));
    free_network(net);
    for (image* p : {&r, &lb, &sized, &grey, &boxed, &im}) free_image(*p);
}

TEST_CASE("c api: labels, metadata and top_k", "[capi]") {
    char** names = get_labels(const_cast<char*>("data/voc.names"));
    REQUIRE(names);
    int n = 0;
    while (names[n]) ++n;
    CHECK(n == 20);
    CHECK(std::string(names[0]) == "aeroplane");
    free_ptrs(reinterpret_cast<void**>(names), n);

    metadata m = get_metadata(const_cast<char*>("cfg/imagenet1k.data"));
    CHECK(m.classes == 1000);
    REQUIRE(m.names);
    CHECK(std::string(m.names[0]) == "kit fox");
    n = 0;
    while (m.names[n]) ++n;
    free_ptrs(reinterpret_cast<void**>(m.names), n);

    float a[] = {0.1f, 0.5f, 0.3f, 0.5f, 0.0f};
    int idx[7];
    top_k(a, 5, 3, idx);
    CHECK((idx[0] == 1 && idx[1] == 3 && idx[2] == 2));  // ties: lower index first
    top_k(a, 2, 4, idx);
    CHECK((idx[0] == 1 && idx[1] == 0 && idx[2] == -1 && idx[3] == -1));
}

namespace {

detection make_det(float x, float y, float w, float h, float obj, std::vector<float> prob) {
    detection d{};
    d.bbox = box{x, y, w, h};
    d.classes = static_cast<int>(prob.size());
    d.prob = static_cast<float*>(std::malloc(prob.size() * sizeof(float)));
    std::copy(prob.begin(), prob.end(), d.prob);
    d.objectness = obj;
    return d;
}

}  // namespace

TEST_CASE("c api: NMS on hand-made detections, as upstream", "[capi]") {
    // Two overlapping boxes (IoU 0.82), one far away and one empty (objectness 0).
    auto make = [] {
        auto* d = static_cast<detection*>(std::malloc(4 * sizeof(detection)));
        d[0] = make_det(0.50f, 0.5f, 0.2f, 0.2f, 0.9f, {0.6f, 0.3f});
        d[1] = make_det(0.52f, 0.5f, 0.2f, 0.2f, 0.8f, {0.7f, 0.1f});
        d[2] = make_det(0.10f, 0.1f, 0.1f, 0.1f, 0.0f, {0.0f, 0.0f});
        d[3] = make_det(0.90f, 0.9f, 0.1f, 0.1f, 0.7f, {0.5f, 0.2f});
        return d;
    };
    detection* d = make();
    do_nms_sort(d, 4, 2, 0.45f);
    CHECK(d[3].objectness == 0.f);  // the empty box moved to the end
    // The class 0 pass keeps the second box (0.7) and clears class 0 of the first; the
    // class 1 pass, sorted 0.3, 0.2, 0.1, keeps the first box and clears the second's.
    CHECK(d[0].bbox.x == 0.50f);
    CHECK(d[0].prob[0] == 0.f);  // suppressed by the second box for class 0
    CHECK(d[0].prob[1] == 0.3f);
    CHECK(d[1].bbox.x == 0.90f);
    CHECK(d[2].bbox.x == 0.52f);
    CHECK(d[2].prob[0] == 0.7f);
    CHECK(d[2].prob[1] == 0.f);  // suppressed by the first box for class 1
    free_detections(d, 4);

    d = make();
    do_nms_obj(d, 4, 2, 0.45f);
    CHECK(d[0].bbox.x == 0.50f);  // highest objectness first
    CHECK(d[1].objectness == 0.f);
    CHECK((d[1].prob[0] == 0.f && d[1].prob[1] == 0.f));
    CHECK(d[2].bbox.x == 0.90f);
    CHECK(d[2].objectness == 0.7f);
    free_detections(d, 4);
    do_nms_sort(nullptr, 0, 2, 0.45f);
    free_detections(nullptr, 0);
}

TEST_CASE("c api: a network without detection layers finds no boxes", "[capi]") {
    network* net = load_quiet();
    REQUIRE(net);
    std::vector<float> in = test_input(net);
    REQUIRE(network_predict(net, in.data()));
    int num = -1;
    detection* dets = get_network_boxes(net, 640, 480, .5f, .5f, nullptr, 1, &num);
    REQUIRE(dets);
    CHECK(num == 0);
    free_detections(dets, num);
    CHECK(get_network_boxes(net, 0, 480, .5f, .5f, nullptr, 1, &num) == nullptr);
    CHECK(num == 0);
    free_network(net);
}

TEST_CASE("c++ api: RAII network, methods, errors", "[capi]") {
    darknet_set_log_level(1);
    CHECK(darknet::conv_methods() == std::vector<std::string>{"direct", "winograd4", "winograd", "packed", "1x1", "im2col", "im2row", "mcmk"});
    try {
        darknet::Network bad("/nonexistent/y.cfg", "");
        FAIL("no exception");
    } catch (const darknet::Error& e) {
        CHECK(std::string(e.what()).find("/nonexistent/y.cfg") != std::string::npos);
    }
    const darknet::Options fast{"fast", 0};
    CHECK_THROWS_AS(darknet::Network(kCfg, "", fast), darknet::Error);

    darknet::Network net(kCfg, "", {"im2col", 2});
    CHECK(net.width() == 64);
    CHECK(net.height() == 48);
    CHECK(net.classes() == 10);
    CHECK(net.layers() == 7);
    CHECK(net.layer_type(6) == "softmax");
    for (int i : kConvLayers) CHECK(net.method(i) == "im2col");
    CHECK_THROWS_AS(net.method(1), darknet::Error);

    const darknet::Image im = darknet::Image::load("data/chelsea.png");
    const darknet::Image boxed = im.letterbox(net.width(), net.height());
    const std::vector<float> a = net.predict(boxed);
    CHECK(a.size() == 10u);
    net.set_method(0, "mcmk");
    CHECK(net.method(0) == "mcmk");
    CHECK(max_abs_diff(net.predict(boxed.data()), a) < 1e-5f);
    CHECK_THROWS_AS(net.predict(im), darknet::Error);  // not letterboxed
    CHECK(net.detect(im).empty());

    darknet::Network moved = std::move(net);
    CHECK(moved.width() == 64);
    CHECK_THROWS_AS(darknet::Image::load("/nonexistent/z.png"), darknet::Error);
    CHECK(darknet::read_labels("data/voc.names").size() == 20u);
    CHECK(darknet::top_k({0.2f, 0.9f, 0.4f}, 5) == std::vector<int>{1, 2, 0});
    darknet_set_log_level(2);
}

namespace {

struct Line {
    int cls;
    float prob;
    float x, y, w, h;
    bool operator==(const Line& o) const {
        return cls == o.cls && prob == o.prob && x == o.x && y == o.y && w == o.w && h == o.h;
    }
};

std::vector<Line> lines_of(const detection* dets, int num, float thresh) {
    std::vector<Line> out;
    for (int i = 0; i < num; ++i)
        for (int j = 0; j < dets[i].classes; ++j)
            if (dets[i].prob[j] > thresh)
                out.push_back({j, dets[i].prob[j], dets[i].bbox.x, dets[i].bbox.y, dets[i].bbox.w, dets[i].bbox.h});
    return out;
}

}  // namespace

TEST_CASE("c api: darknet_detect is upstream's calls in pjreddie's dialect, and says the dialect", "[capi]") {
    // tests/data/detect-mix.cfg: a pjreddie detector with [yolo] and [region] heads.
    network* net = load_quiet("tests/data/detect-mix.cfg");
    REQUIRE(net);
    CHECK(std::string(darknet_network_dialect(net)) == "pjreddie");
    char path[] = "data/astronaut.png";
    image im = load_image_color(path, 0, 0);
    REQUIRE(im.data);
    const float thresh = .3f;
    // Upstream's sequence: letterbox, predict, boxes, do_nms_sort.
    image boxed = letterbox_image(im, network_width(net), network_height(net));
    REQUIRE(network_predict(net, boxed.data));
    int n1 = 0;
    detection* a = get_network_boxes(net, im.w, im.h, thresh, .5f, nullptr, 1, &n1);
    REQUIRE(a);
    do_nms_sort(a, n1, darknet_network_classes(net), .45f);
    int n2 = -1;
    detection* b = darknet_detect(net, im, thresh, .5f, .45f, &n2);
    REQUIRE(b);
    const std::vector<Line> want = lines_of(a, n1, thresh), got = lines_of(b, n2, thresh);
    CHECK(want.size() > 3);
    CHECK(got == want);
    free_detections(a, n1);
    free_detections(b, n2);
    // nms 0: no suppression, so at least as many lines.
    detection* c = darknet_detect(net, im, thresh, .5f, 0, &n2);
    REQUIRE(c);
    CHECK(lines_of(c, n2, thresh).size() >= want.size());
    free_detections(c, n2);
    // Errors: NULL num, a grey image for a colour network, NULL network.
    CHECK(darknet_detect(net, im, thresh, .5f, .45f, nullptr) == nullptr);
    CHECK(error_contains("num is NULL"));
    image grey = make_image(8, 8, 1);
    CHECK(darknet_detect(net, grey, thresh, .5f, .45f, &n2) == nullptr);
    CHECK(n2 == 0);
    CHECK(error_contains("channels"));
    CHECK(darknet_network_dialect(nullptr) == nullptr);
    free_image(grey);
    free_image(boxed);
    free_image(im);
    free_network(net);
}

TEST_CASE("c api: darknet_classify is network_predict_image in pjreddie's dialect", "[capi]") {
    network* net = load_quiet();
    REQUIRE(net);
    char path[] = "data/chelsea.png";
    image im = load_image_color(path, 0, 0);
    REQUIRE(im.data);
    const int n = darknet_network_outputs(net);
    const float* a = network_predict_image(net, im);
    REQUIRE(a);
    const std::vector<float> want(a, a + n);
    const float* b = darknet_classify(net, im);
    REQUIRE(b);
    CHECK(std::vector<float>(b, b + n) == want);
    image grey = make_image(8, 8, 1);
    CHECK(darknet_classify(net, grey) == nullptr);
    CHECK(error_contains("channels"));
    CHECK(darknet_classify(nullptr, im) == nullptr);
    free_image(grey);
    free_image(im);
    free_network(net);
}

TEST_CASE("c api: get_network_boxes reads a class map for a tree [region], as detector valid's map=", "[capi]") {
    // tests/data/hier/tree-region.cfg: a [region] over a 12-node tree. Upstream reads 200
    // map entries: box class j gets objectness times the tree's probability of class map[j].
    network* net = load_quiet("tests/data/hier/tree-region.cfg");
    REQUIRE(net);
    std::vector<float> in = test_input(net);
    REQUIRE(network_predict(net, in.data()));
    int a[200], b[200];
    for (int j = 0; j < 200; ++j) a[j] = j % 12, b[j] = (j + 5) % 12;
    const float thresh = 0;  // every positive product counts
    int na = 0, nb = 0, nt = 0;
    detection* da = get_network_boxes(net, 64, 64, thresh, .5f, a, 1, &na);
    detection* db = get_network_boxes(net, 64, 64, thresh, .5f, b, 1, &nb);
    detection* top = get_network_boxes(net, 64, 64, thresh, .5f, nullptr, 1, &nt);
    REQUIRE(da);
    REQUIRE(db);
    REQUIRE(top);
    REQUIRE(na == nt);
    REQUIRE(nb == nt);
    int live = 0, mapped = 0;
    for (int i = 0; i < na; ++i) {
        REQUIRE(da[i].classes >= 200);
        if (da[i].objectness == 0) continue;
        ++live;
        // The same tree class, wherever the map puts it: a[j + 5] == b[j].
        for (int j = 0; j + 5 < 200; ++j) CHECK(db[i].prob[j] == da[i].prob[j + 5]);
        for (int j = 0; j + 12 < 200; ++j) CHECK(da[i].prob[j] == da[i].prob[j + 12]);
        for (int j = 0; j < 12; ++j) mapped += da[i].prob[j] > 0;
        // Without a map: one class, the top prediction, at the objectness.
        int shown = 0;
        for (int j = 0; j < top[i].classes; ++j) shown += top[i].prob[j] != 0;
        CHECK(shown <= 1);
        CHECK(da[i].bbox.x == top[i].bbox.x);
    }
    CHECK(live > 0);
    CHECK(mapped > live);  // more than the one class the top prediction gives
    free_detections(da, na);
    free_detections(db, nb);
    free_detections(top, nt);
    // A map entry that is not a class of the tree: NULL, and the error says so.
    a[7] = 12;
    int n = -1;
    CHECK(get_network_boxes(net, 64, 64, thresh, .5f, a, 1, &n) == nullptr);
    CHECK(n == 0);
    CHECK(error_contains("class 12 is not one of the 12 classes"));
    free_network(net);
    // A network without a tree ignores the map, as upstream does.
    network* plain = load_quiet("tests/data/detect-mix.cfg");
    REQUIRE(plain);
    std::vector<float> pin = test_input(plain);
    REQUIRE(network_predict(plain, pin.data()));
    int n1 = 0, n2 = 0;
    detection* p1 = get_network_boxes(plain, 64, 64, .3f, .5f, a, 1, &n1);
    detection* p2 = get_network_boxes(plain, 64, 64, .3f, .5f, nullptr, 1, &n2);
    REQUIRE(p1);
    REQUIRE(p2);
    REQUIRE(n1 == n2);
    for (int i = 0; i < n1; ++i)
        for (int j = 0; j < p1[i].classes; ++j) CHECK(p1[i].prob[j] == p2[i].prob[j]);
    free_detections(p1, n1);
    free_detections(p2, n2);
    free_network(plain);
}
