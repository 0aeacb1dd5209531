// `classifier predict` and `classify`, as upstream's classifier.c prints them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cfg.h"
#include "classifier.h"
#include "cli.h"
#include "error.h"
#include "image.h"
#include "top_k.h"

namespace cli {

using dn::Error;

namespace {

std::string data_path(const dn::SectionReader& r, const char* key, const std::string& def) {
    return r.get_string(key, def);
}

// AlexeyAB's predict_classifier: short side resized to the net width, centre crop, and its
// lines on stdout ("name: 0.099957").
void predict_alexeyab(dn::Network& net, const std::vector<std::string>& names, int classes, int top,
                      const std::string& filename, int* failures) {
    const dn::Layer& last = net.layer(net.size() - 1);
    std::printf(" classes = %d, output in cfg = %d \n", classes, last.in.c);
    if (top > classes) top = classes;
    for_each_image(filename, failures, [&](const std::string& input) {
        const dn::Image im = dn::load_image(input, 3);
        const dn::Image c = dn::classifier_input(net, im);
        std::printf("%d %d\n", c.w, c.h);
        const auto t0 = std::chrono::steady_clock::now();
        const float* pred = net.forward(c.data.data());
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s: Predicted in %f milli-seconds.\n", input.c_str(), ms);
        for (const int i : dn::top_k(pred, net.outputs(), top)) std::printf("%s: %f\n", names[i].c_str(), pred[i]);
        std::fflush(stdout);
    });
}

void predict_classifier(const std::string& datacfg, const std::string& cfg,
                        const std::string& weights, const std::string& filename, int top,
                        const Common& common, int* failures) {
    const dn::CfgSection data = dn::read_options_file(datacfg);
    dn::SectionReader dr(datacfg, data, 0);
    std::string names_path = data_path(dr, "names", "");
    if (names_path.empty()) names_path = data_path(dr, "labels", "data/labels.list");
    if (top == 0) top = dr.get_int_in("top", 1, 1, 1 << 20);
    const std::vector<std::string> names = dn::read_lines(names_path);

    auto net = load_network(cfg, weights, common.net);
    const std::size_t outputs = net->outputs();
    if (names.size() < outputs)
        throw Error(names_path + ": has " + std::to_string(names.size()) + " names, but " + cfg + " outputs " + std::to_string(outputs) + " classes");

    if (net->dialect == dn::Dialect::alexeyab) {
        predict_alexeyab(*net, names, dr.get_int_in("classes", 2, 1, 1 << 24), top, filename, failures);
        return;
    }
    std::vector<float> tree_pred;
    for_each_image(filename, failures, [&](const std::string& input) {
        const dn::Image im = dn::load_image(input, 3);
        const dn::Image r = dn::classifier_input(*net, im);
        const auto t0 = std::chrono::steady_clock::now();
        const float* pred = dn::classifier_predictions(*net, net->forward(r.data.data()), &tree_pred);
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::vector<int> idx = dn::top_k(pred, outputs, top);
        std::fprintf(stderr, "%s: Predicted in %f seconds.\n", input.c_str(), sec);
        for (int i : idx) std::printf("%5.2f%%: %s\n", pred[i] * 100, names[i].c_str());
        std::fflush(stdout);
    });
}

// -jsonl: {"top": [{"class", "index", "prob"}, ...]} per image, the same input, tree and
// top-k as predict (in either dialect).
int stream_classifier(const std::string& datacfg, const std::string& cfg, const std::string& weights,
                      const std::string& filename, int top, const Common& common, const StreamOptions& so) {
    const dn::CfgSection data = dn::read_options_file(datacfg);
    dn::SectionReader dr(datacfg, data, 0);
    std::string names_path = data_path(dr, "names", "");
    if (names_path.empty()) names_path = data_path(dr, "labels", "data/labels.list");
    if (top == 0) top = dr.get_int_in("top", 1, 1, 1 << 20);
    const std::vector<std::string> names = dn::read_lines(names_path);
    return run_stream(so, filename, total_threads(common), [&](int job, int threads) -> Worker {
        std::shared_ptr<dn::Network> net = load_job_network(cfg, weights, common.net, job, threads);
        const std::size_t outputs = net->outputs();
        if (names.size() < outputs)
            throw Error(names_path + ": has " + std::to_string(names.size()) + " names, but " + cfg + " outputs " + std::to_string(outputs) + " classes");
        return [net, outputs, top, &names](const std::string& path) {
            const dn::Image im = dn::load_image(path, 3);
            const dn::Image r = dn::classifier_input(*net, im);
            std::vector<float> tree_pred;
            const float* pred = dn::classifier_predictions(*net, net->forward(r.data.data()), &tree_pred);
            std::string s = "\"top\": [";
            for (int i : dn::top_k(pred, outputs, top)) {
                char buf[64];
                std::snprintf(buf, sizeof buf, ", \"index\": %d, \"prob\": %.6f}", i, double(pred[i]));
                s += std::string(s.back() == '[' ? "" : ", ") + "{\"class\": " + json_string(names[i]) + buf;
            }
            return s + "]";
        };
    });
}

}  // namespace

int run_classifier(std::vector<std::string> v, const Common& common) {
    const StreamOptions so = take_stream_options(v);
    int top = 0;
    std::string s;
    if (take_value(v, "-t", &s)) top = parse_count(s, "-t", 1, 1 << 20);
    // v: classifier <sub> data cfg weights [image]
    if (v.size() < 2) throw Error("usage: darknet classifier predict|valid|valid10 DATA CFG WEIGHTS [IMAGE] [-t N] [-method NAME] [-threads N] [-jsonl FILE|- [-list FILE] [-jobs N] [-shard I/N]]");
    const std::string sub = v[1];
    if (sub == "valid" || sub == "valid10") {
        if (v.size() < 5) throw Error("usage: darknet classifier " + sub + " DATA CFG WEIGHTS");
        return validate_classifier(sub, v[2], v[3], v[4], common);
    }
    if (sub != "predict")
        throw Error("classifier " + sub + ": not supported (this engine runs inference: use predict, valid or valid10)");
    if (v.size() < 5) throw Error("usage: darknet classifier predict|valid|valid10 DATA CFG WEIGHTS [IMAGE] [-t N] [-method NAME] [-threads N] [-jsonl FILE|- [-list FILE] [-jobs N] [-shard I/N]]");
    if (!so.jsonl.empty()) return stream_classifier(v[2], v[3], v[4], v.size() > 5 ? v[5] : "", top, common, so);
    int failures = 0;
    predict_classifier(v[2], v[3], v[4], v.size() > 5 ? v[5] : "", top, common, &failures);
    return failures ? 1 : 0;
}

int run_classify(std::vector<std::string> v, const Common& common) {
    // upstream: darknet classify CFG WEIGHTS [IMAGE], with cfg/imagenet1k.data and top 5
    const StreamOptions so = take_stream_options(v);
    if (v.size() < 3) throw Error("usage: darknet classify CFG WEIGHTS [IMAGE] [-jsonl FILE|- [-list FILE] [-jobs N] [-shard I/N]]");
    if (!so.jsonl.empty()) return stream_classifier("cfg/imagenet1k.data", v[1], v[2], v.size() > 3 ? v[3] : "", 5, common, so);
    int failures = 0;
    predict_classifier("cfg/imagenet1k.data", v[1], v[2], v.size() > 3 ? v[3] : "", 5, common, &failures);
    return failures ? 1 : 0;
}

}  // namespace cli
