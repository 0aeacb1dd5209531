// `detector test` and `detect`, as upstream's detector.c (test_detector) prints them: the
// timing line, then "name: NN%" for every box and class above the threshold, all on
// stdout; the image with boxes drawn goes to NAME.jpg (predictions.jpg by default).
// Beyond upstream, -json FILE writes the same detections with their pixel boxes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cfg.h"
#include "cli.h"
#include "detection.h"
#include "draw.h"
#include "error.h"
#include "image.h"
#include "layers/yolo_layer.h"

namespace cli {

using dn::Error;

namespace {

struct DetectOptions {
    float thresh = .5f;
    bool thresh_given = false;  // else the dialect's default (AlexeyAB: .25, .24 for detect)
    bool ext_output = false;    // -ext_output: each line also gives its box in pixels
    bool letter_box = false;    // -letter_box: AlexeyAB's dialect letterboxes instead of stretching
    float hier = .5f;     // upstream's tree threshold: accepted, no effect without a tree
    float ab_default_thresh = .25f;  // AlexeyAB's default -thresh (detector test; detect: .24)
    std::string out;      // image name without ".jpg"; "predictions" when empty
    std::string json;     // -json FILE, or empty
};

// One printed line: a box and a class above the threshold.
struct Hit {
    int cls;
    float prob;
    const dn::Detection* det;
    bool first;  // the box's first line, whose class colours its drawing
};

// An image's detections for -json: class, probability and pixel box per printed line.
struct JsonHit {
    int cls;
    float prob;
    dn::PixelBox box;
};

struct ImageResult {
    std::string path;
    int w = 0, h = 0;
    std::vector<JsonHit> hits;
};

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// A JSON array with one object per image, each listing its detections in printed order.
void write_json(const std::string& path, const std::vector<ImageResult>& results,
                const std::vector<std::string>& names) {
    std::string s = "[\n";
    for (std::size_t r = 0; r < results.size(); ++r) {
        const ImageResult& res = results[r];
        s += "  {\"image\": " + json_string(res.path) + ", \"width\": " + std::to_string(res.w) +
             ", \"height\": " + std::to_string(res.h) + ", \"detections\": [";
        for (std::size_t i = 0; i < res.hits.size(); ++i) {
            const JsonHit& hit = res.hits[i];
            char buf[256];
            std::snprintf(buf, sizeof buf,
                          "\"class_index\": %d, \"prob\": %.6f, \"left\": %d, \"top\": %d, "
                          "\"right\": %d, \"bottom\": %d}",
                          hit.cls, double(hit.prob), hit.box.left, hit.box.top, hit.box.right,
                          hit.box.bottom);
            s += std::string(i ? ",\n" : "\n") + "    {\"class\": " + json_string(names[hit.cls]) + ", " + buf;
        }
        s += res.hits.empty() ? "]}" : "\n  ]}";
        s += r + 1 < results.size() ? ",\n" : "\n";
    }
    s += "]\n";
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "wb"));
    if (!f || std::fwrite(s.data(), 1, s.size(), f.get()) != s.size() || std::fflush(f.get()) != 0)
        throw Error(path + ": cannot write the JSON file");
}

// AlexeyAB's -ext_output box after "name: NN%", from the relative box and the image size.
void print_box(const dn::Box& b, int w, int h, bool ext_output) {
    if (!ext_output) {
        std::printf("\n");
        return;
    }
    std::printf("\t(left_x: %4.0f   top_y: %4.0f   width: %4.0f   height: %4.0f)\n",
                std::round((b.x - b.w / 2) * w), std::round((b.y - b.h / 2) * h), std::round(b.w * w),
                std::round(b.h * h));
}

// -thresh, or the dialect's default: pjreddie's .5, AlexeyAB's .25 (.24 for `detect`).
float detect_thresh(const DetectOptions& opt, bool alexeyab) {
    return opt.thresh_given || !alexeyab ? opt.thresh : opt.ab_default_thresh;
}

// The lines `detector test` prints for one image, in its order. pjreddie's draw_detections:
// every class above thresh of every box, in the NMS order. AlexeyAB's draw_detections_v3: one
// entry per box whose best class (names starting "dont_show" skipped) beats thresh, in order
// of the box's left edge, best class first, then its other classes above thresh.
std::vector<Hit> detection_hits(const std::vector<dn::Detection>& dets, float thresh,
                                const std::vector<std::string>& names, int classes, bool alexeyab) {
    std::vector<Hit> hits;
    if (!alexeyab) {
        for (const dn::Detection& d : dets) {
            bool first = true;
            for (int j = 0; j < classes; ++j) {
                if (!(d.prob[j] > thresh)) continue;
                hits.push_back({j, d.prob[j], &d, first});
                first = false;
            }
        }
        return hits;
    }
    struct Selected {
        const dn::Detection* det;
        int best;
    };
    std::vector<Selected> sel;
    for (const dn::Detection& d : dets) {
        int best = -1;
        float best_prob = thresh;
        for (int j = 0; j < classes; ++j)
            if (d.prob[j] > best_prob && names[j].compare(0, 9, "dont_show") != 0) {
                best = j;
                best_prob = d.prob[j];
            }
        if (best >= 0) sel.push_back({&d, best});
    }
    // glibc's qsort (a stable merge sort) with compare_by_lefts.
    std::stable_sort(sel.begin(), sel.end(), [](const Selected& a, const Selected& b) {
        const dn::Box &x = a.det->bbox, &y = b.det->bbox;
        return (x.x - x.w / 2) - (y.x - y.w / 2) < 0;
    });
    for (const Selected& e : sel) {
        const dn::Detection& d = *e.det;
        hits.push_back({e.best, d.prob[e.best], &d, true});
        for (int j = 0; j < classes; ++j)
            if (d.prob[j] > thresh && j != e.best) hits.push_back({j, d.prob[j], &d, false});
    }
    return hits;
}

// Prints the hits as `detector test` does ("name: NN%", -ext_output's box) and draws each
// box with its label: pjreddie's joins the box's class names with ", " and draws in NMS
// order; AlexeyAB's labels with the best class and draws after printing them all.
void print_and_draw(dn::Image& im, const std::vector<Hit>& hits, const std::vector<std::string>& names,
                    int classes, bool alexeyab, bool ext_output) {
    for (const Hit& hit : hits) {
        // Upstream multiplies in float before printing.
        const float pct = hit.prob * 100;
        std::printf("%s: %.0f%%", names[hit.cls].c_str(), double(pct));
        print_box(hit.det->bbox, im.w, im.h, ext_output);
    }
    const int width = alexeyab ? std::max(1, static_cast<int>(im.h * .002)) : static_cast<int>(im.h * .006);
    for (std::size_t i = 0; i < hits.size(); ++i) {
        if (!hits[i].first) continue;
        std::string label = names[hits[i].cls];
        if (!alexeyab)
            for (std::size_t k = i + 1; k < hits.size() && !hits[k].first; ++k) label += ", " + names[hits[k].cls];
        float rgb[3];
        dn::class_color(hits[i].cls, classes, rgb);
        const dn::PixelBox box = dn::to_pixels(hits[i].det->bbox, im.w, im.h);
        dn::draw_box_width(im, box.left, box.top, box.right, box.bottom, width, rgb);
        dn::draw_label(im, box.top + width, box.left, label, rgb);
    }
}

void test_detector(const std::string& datacfg, const std::string& cfg, const std::string& weights,
                   const std::string& filename, const DetectOptions& opt, const Common& common,
                   int* failures) {
    const dn::CfgSection data = dn::read_options_file(datacfg);
    dn::SectionReader dr(datacfg, data, 0);
    const std::string names_path = dr.get_string("names", "data/names.list");
    const std::vector<std::string> names = dn::read_lines(names_path);

    auto net = load_network(cfg, weights, common.net);
    const int classes = dn::detection_classes(*net);
    if (names.size() < std::size_t(classes))
        throw Error(names_path + ": has " + std::to_string(names.size()) + " names, but " + cfg + " detects " + std::to_string(classes) + " classes");
    const std::string out_path = (opt.out.empty() ? std::string("predictions") : opt.out) + ".jpg";
    const float nms = .45f;

    // AlexeyAB's test_detector stretches the image unless letter_box and prints milliseconds.
    const dn::DetectorPipeline pipe = dn::detector_pipeline(*net, opt.letter_box);
    const bool ab = pipe.alexeyab;
    const float thresh = detect_thresh(opt, ab);

    std::vector<ImageResult> results;
    for_each_image(filename, failures, [&](const std::string& input) {
        dn::Image im = dn::load_image(input, 3);
        const dn::Image sized = dn::detector_input(pipe, im, net->width(), net->height());
        const auto t0 = std::chrono::steady_clock::now();
        net->forward(sized.data.data());
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (ab)
            std::printf("%s: Predicted in %lf milli-seconds.\n", input.c_str(), sec * 1000);
        else
            std::printf("%s: Predicted in %f seconds.\n", input.c_str(), sec);
        const std::vector<dn::Detection> dets = dn::detector_boxes(*net, pipe, im.w, im.h, thresh, opt.hier, nms);
        const std::vector<Hit> hits = detection_hits(dets, thresh, names, classes, ab);
        print_and_draw(im, hits, names, classes, ab, opt.ext_output);
        std::fflush(stdout);
        dn::save_image(im, out_path);
        if (!opt.json.empty()) {
            ImageResult res{input, im.w, im.h, {}};
            for (const Hit& hit : hits) res.hits.push_back({hit.cls, hit.prob, dn::to_pixels(hit.det->bbox, im.w, im.h)});
            results.push_back(std::move(res));
            write_json(opt.json, results, names);
        }
    });
}

// -jsonl: {"width", "height", "detections": [...]} per image, the detections that
// `detector test` prints, in its order, with their pixel boxes.
int stream_detector(const std::string& datacfg, const std::string& cfg, const std::string& weights,
                    const std::string& filename, const DetectOptions& opt, const Common& common,
                    const StreamOptions& so) {
    const dn::CfgSection data = dn::read_options_file(datacfg);
    dn::SectionReader dr(datacfg, data, 0);
    const std::string names_path = dr.get_string("names", "data/names.list");
    const std::vector<std::string> names = dn::read_lines(names_path);
    return run_stream(so, filename, total_threads(common), [&](int job, int threads) -> Worker {
        std::shared_ptr<dn::Network> net = load_job_network(cfg, weights, common.net, job, threads);
        const int classes = dn::detection_classes(*net);
        if (names.size() < std::size_t(classes))
            throw Error(names_path + ": has " + std::to_string(names.size()) + " names, but " + cfg + " detects " + std::to_string(classes) + " classes");
        const dn::DetectorPipeline pipe = dn::detector_pipeline(*net, opt.letter_box);
        const float thresh = detect_thresh(opt, pipe.alexeyab);
        return [net, classes, opt, pipe, thresh, &names](const std::string& path) {
            const dn::Image im = dn::load_image(path, 3);
            const dn::Image sized = dn::detector_input(pipe, im, net->width(), net->height());
            net->forward(sized.data.data());
            const std::vector<dn::Detection> dets = dn::detector_boxes(*net, pipe, im.w, im.h, thresh, opt.hier, .45f);
            std::string s = "\"width\": " + std::to_string(im.w) + ", \"height\": " + std::to_string(im.h) + ", \"detections\": [";
            bool first = true;
            for (const Hit& hit : detection_hits(dets, thresh, names, classes, pipe.alexeyab)) {
                // Upstream's drawing clips each side one way only; a record's box lies in the image.
                dn::PixelBox box = dn::to_pixels(hit.det->bbox, im.w, im.h);
                box.left = std::min(box.left, im.w - 1), box.right = std::max(box.right, 0);
                box.top = std::min(box.top, im.h - 1), box.bottom = std::max(box.bottom, 0);
                char buf[160];
                std::snprintf(buf, sizeof buf, ", \"class_index\": %d, \"prob\": %.6f, \"left\": %d, \"top\": %d, \"right\": %d, \"bottom\": %d}",
                              hit.cls, double(hit.prob), box.left, box.top, box.right, box.bottom);
                s += std::string(first ? "" : ", ") + "{\"class\": " + json_string(names[hit.cls]) + buf;
                first = false;
            }
            return s + "]";
        };
    });
}

DetectOptions take_detect_options(std::vector<std::string>& v) {
    DetectOptions o;
    std::string s;
    if (take_value(v, "-thresh", &s)) {
        o.thresh = parse_number(s, "-thresh");
        o.thresh_given = true;
    }
    o.ext_output = take_flag(v, "-ext_output");
    o.letter_box = take_flag(v, "-letter_box");
    take_flag(v, "-dont_show");  // AlexeyAB's "no window": this engine never opens one
    if (take_value(v, "-hier", &s)) o.hier = parse_number(s, "-hier");
    take_value(v, "-out", &o.out);
    take_value(v, "-json", &o.json);
    take_flag(v, "-fullscreen");  // upstream's display option: no window here
    return o;
}

const char* const kDetectorUsage =
    "usage: darknet detector test DATA CFG WEIGHTS [IMAGE] [-thresh T] [-hier T] [-out NAME] [-json FILE] [-jsonl FILE|- [-list FILE] [-jobs N] [-shard I/N]]"
    " (or detector valid DATA CFG WEIGHTS [-out PREFIX], detector recall DATA CFG WEIGHTS)";

}  // namespace

int run_detector(std::vector<std::string> v, const Common& common) {
    const DetectOptions opt = take_detect_options(v);
    const StreamOptions so = take_stream_options(v);
    // v: detector <sub> data cfg weights [image]
    if (v.size() < 2) throw Error(kDetectorUsage);
    const std::string sub = v[1];
    if (sub == "valid" || sub == "recall") {
        if (v.size() < 5) throw Error("usage: darknet detector " + sub + " DATA CFG WEIGHTS" + (sub == "valid" ? " [-out PREFIX]" : ""));
        if (sub == "recall") return validate_detector_recall(v[3], v[4], common);
        return validate_detector(v[2], v[3], v[4], opt.out, common);
    }
    if (sub != "test")
        throw Error("detector " + sub + ": not supported (this engine runs inference: use test, valid or recall)");
    if (v.size() < 5) throw Error(kDetectorUsage);
    if (!so.jsonl.empty()) return stream_detector(v[2], v[3], v[4], v.size() > 5 ? v[5] : "", opt, common, so);
    int failures = 0;
    test_detector(v[2], v[3], v[4], v.size() > 5 ? v[5] : "", opt, common, &failures);
    return failures ? 1 : 0;
}

int run_detect(std::vector<std::string> v, const Common& common) {
    // upstream: darknet detect CFG WEIGHTS [IMAGE], with cfg/coco.data and hier .5
    DetectOptions opt = take_detect_options(v);
    const StreamOptions so = take_stream_options(v);
    opt.hier = .5f;
    opt.ab_default_thresh = .24f;
    if (v.size() < 3)
        throw Error("usage: darknet detect CFG WEIGHTS [IMAGE] [-thresh T] [-out NAME] [-json FILE] [-jsonl FILE|- [-list FILE] [-jobs N] [-shard I/N]]");
    if (!so.jsonl.empty()) return stream_detector("cfg/coco.data", v[1], v[2], v.size() > 3 ? v[3] : "", opt, common, so);
    int failures = 0;
    test_detector("cfg/coco.data", v[1], v[2], v.size() > 3 ? v[3] : "", opt, common, &failures);
    return failures ? 1 : 0;
}

}  // namespace cli
