// `detector test` and `detect`, as upstream's detector.c (test_detector) prints them: the
// timing line, then "name: NN%" for every box and class above the threshold, all on
// stdout; the image with boxes drawn goes to NAME.jpg (predictions.jpg by default).
// Beyond upstream, -json FILE writes the same detections with their pixel boxes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cfg.h"
#include "cli.h"
#include "detection.h"
#include "draw.h"
#include "error.h"
#include "image.h"

namespace cli {

using dn::Error;

namespace {

struct DetectOptions {
    float thresh = .5f;
    float hier = .5f;     // upstream's tree threshold: accepted, no effect without a tree
    std::string out;      // image name without ".jpg"; "predictions" when empty
    std::string json;     // -json FILE, or empty
};

// One printed line: a box and a class above the threshold.
struct Hit {
    int cls;
    float prob;
    dn::PixelBox box;
};

struct ImageResult {
    std::string path;
    int w = 0, h = 0;
    std::vector<Hit> hits;
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
            const Hit& hit = res.hits[i];
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

// Upstream's draw_detections: prints every class above thresh of every box, and draws the
// box and a label (the class names joined by ", ") for boxes with at least one.
std::vector<Hit> draw_detections(dn::Image& im, const std::vector<dn::Detection>& dets,
                                 float thresh, const std::vector<std::string>& names,
                                 int classes) {
    std::vector<Hit> hits;
    for (const dn::Detection& d : dets) {
        std::string label;
        int first = -1;
        const dn::PixelBox box = dn::to_pixels(d.bbox, im.w, im.h);
        for (int j = 0; j < classes; ++j) {
            if (!(d.prob[j] > thresh)) continue;
            label += (first < 0 ? "" : ", ") + names[j];
            if (first < 0) first = j;
            // Upstream multiplies in float before printing.
            const float pct = d.prob[j] * 100;
            std::printf("%s: %.0f%%\n", names[j].c_str(), double(pct));
            hits.push_back({j, d.prob[j], box});
        }
        if (first < 0) continue;
        const int width = static_cast<int>(im.h * .006);
        float rgb[3];
        dn::class_color(first, classes, rgb);
        dn::draw_box_width(im, box.left, box.top, box.right, box.bottom, width, rgb);
        dn::draw_label(im, box.top + width, box.left, label, rgb);
    }
    return hits;
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

    std::vector<ImageResult> results;
    for_each_image(filename, failures, [&](const std::string& input) {
        dn::Image im = dn::load_image(input, 3);
        const dn::Image sized = dn::letterbox_image(im, net->width(), net->height());
        const auto t0 = std::chrono::steady_clock::now();
        net->forward(sized.data.data());
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s: Predicted in %f seconds.\n", input.c_str(), sec);
        std::vector<dn::Detection> dets = dn::get_network_boxes(*net, im.w, im.h, opt.thresh, opt.hier, true);
        dn::do_nms_sort(dets, classes, nms);
        ImageResult res{input, im.w, im.h, draw_detections(im, dets, opt.thresh, names, classes)};
        std::fflush(stdout);
        dn::save_image(im, out_path);
        if (!opt.json.empty()) {
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
        return [net, classes, opt, &names](const std::string& path) {
            const dn::Image im = dn::load_image(path, 3);
            const dn::Image sized = dn::letterbox_image(im, net->width(), net->height());
            net->forward(sized.data.data());
            std::vector<dn::Detection> dets = dn::get_network_boxes(*net, im.w, im.h, opt.thresh, opt.hier, true);
            dn::do_nms_sort(dets, classes, .45f);
            std::string s = "\"width\": " + std::to_string(im.w) + ", \"height\": " + std::to_string(im.h) + ", \"detections\": [";
            bool first = true;
            for (const dn::Detection& d : dets) {
                // Upstream's drawing clips each side one way only; a record's box lies in the image.
                dn::PixelBox box = dn::to_pixels(d.bbox, im.w, im.h);
                box.left = std::min(box.left, im.w - 1), box.right = std::max(box.right, 0);
                box.top = std::min(box.top, im.h - 1), box.bottom = std::max(box.bottom, 0);
                for (int j = 0; j < classes; ++j) {
                    if (!(d.prob[j] > opt.thresh)) continue;
                    char buf[160];
                    std::snprintf(buf, sizeof buf, ", \"class_index\": %d, \"prob\": %.6f, \"left\": %d, \"top\": %d, \"right\": %d, \"bottom\": %d}",
                                  j, double(d.prob[j]), box.left, box.top, box.right, box.bottom);
                    s += std::string(first ? "" : ", ") + "{\"class\": " + json_string(names[j]) + buf;
                    first = false;
                }
            }
            return s + "]";
        };
    });
}

DetectOptions take_detect_options(std::vector<std::string>& v) {
    DetectOptions o;
    std::string s;
    if (take_value(v, "-thresh", &s)) o.thresh = parse_number(s, "-thresh");
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
    if (v.size() < 3)
        throw Error("usage: darknet detect CFG WEIGHTS [IMAGE] [-thresh T] [-out NAME] [-json FILE] [-jsonl FILE|- [-list FILE] [-jobs N] [-shard I/N]]");
    if (!so.jsonl.empty()) return stream_detector("cfg/coco.data", v[1], v[2], v.size() > 3 ? v[3] : "", opt, common, so);
    int failures = 0;
    test_detector("cfg/coco.data", v[1], v[2], v.size() > 3 ? v[3] : "", opt, common, &failures);
    return failures ? 1 : 0;
}

}  // namespace cli
