// Upstream's list commands, as the Debian package's darknet (pjreddie, 2018-09-14) prints and
// writes them: `classifier valid` and `valid10` (running top-1 / top-k accuracy over the
// .data file's valid= list, the label found as a substring of each path), `detector valid`
// (VOC per-class files, COCO JSON or ImageNet's text format under results/) and
// `detector recall` (data/coco_val_5k.list against its label files).
// Where upstream crashes or reads past an array (fewer than 4 images, a missing file, a
// class count its format cannot hold) these stop with a one-line error instead; an image
// that does not load is reported and the run goes on (upstream runs a blank 10x10 image).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "box.h"
#include "cfg.h"
#include "classifier.h"
#include "cli.h"
#include "detection.h"
#include "error.h"
#include "image.h"
#include "image_crop.h"
#include "top_k.h"
#include "layers/gaussian_yolo_layer.h"
#include "layers/region_layer.h"
#include "layers/yolo_layer.h"

namespace cli {

using dn::Error;

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_for_writing(const std::string& path) {
    File f(std::fopen(path.c_str(), "w"));
    if (!f) throw Error(path + ": cannot open for writing (does its directory exist?)");
    return f;
}

std::string required(const dn::SectionReader& r, const char* key) {
    if (!r.has(key)) throw Error(r.path() + ": no " + key + "= (the list of images to validate on)");
    return r.get_string(key, "");
}

// Upstream's basecfg: the file name without its directory, cut at its first '.'.
std::string basecfg(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    std::string c = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::size_t dot = c.find('.');
    if (dot != std::string::npos) c.resize(dot);
    return c;
}

// Upstream's find_replace: the first occurrence only.
std::string find_replace(const std::string& s, const std::string& orig, const std::string& rep) {
    const std::size_t p = s.find(orig);
    if (p == std::string::npos) return s;
    return s.substr(0, p) + rep + s.substr(p + orig.size());
}

void report(const Error& e, int* failures) {
    std::fflush(stdout);
    std::fprintf(stderr, "darknet: %s\n", e.what());
    ++*failures;
}

// The [net] section's training values, which upstream prints before validating.
void print_learning_rate(const std::string& cfg) {
    const dn::CfgFile f = dn::read_cfg_file(cfg);
    float rate = .001f, momentum = .9f, decay = .0001f;
    if (!f.sections.empty()) {
        dn::SectionReader r(cfg, f.sections[0], 0);
        rate = r.get_float("learning_rate", rate);
        momentum = r.get_float("momentum", momentum);
        decay = r.get_float("decay", decay);
    }
    std::fprintf(stderr, "Learning Rate: %g, Momentum: %g, Decay: %g\n", double(rate), double(momentum), double(decay));
}

}  // namespace

std::vector<std::string> read_image_list(const std::string& path) {
    std::vector<std::string> paths;
    for (std::string& line : dn::read_lines(path))
        if (!line.empty()) paths.push_back(std::move(line));
    if (paths.empty()) throw Error(path + ": no image paths in the list");
    return paths;
}

int validate_classifier(const std::string& sub, const std::string& datacfg, const std::string& cfg,
                        const std::string& weights, const Common& common) {
    auto net = load_network(cfg, weights, common.net);
    const dn::CfgSection data = dn::read_options_file(datacfg);
    dn::SectionReader dr(datacfg, data, 0);
    const std::string label_list = dr.get_string("labels", "data/labels.list");
    const std::string valid_list = required(dr, "valid");
    const int classes = dr.get_int_in("classes", 2, 1, 1 << 24);
    const int topk = dr.get_int_in("top", 1, 1, 1 << 20);
    if (sub == "valid" && dr.has("leaves")) {
        // Upstream's change_leaves: only the listed names count as leaves of the tree.
        const std::string leaf_list = dr.get_string("leaves", "");
        if (!net->hierarchy) throw Error(datacfg + ": leaves=" + leaf_list + ", but " + cfg + " has no softmax tree (tree=)");
        auto tree = std::make_shared<dn::Tree>(*net->hierarchy);
        const std::vector<std::string> leaves = dn::read_lines(leaf_list);
        int found = 0;
        for (int i = 0; i < tree->n(); ++i) {
            tree->leaf[i] = std::find(leaves.begin(), leaves.end(), tree->name[i]) != leaves.end();
            found += tree->leaf[i];
        }
        std::fprintf(stderr, "Found %d leaves.\n", found);
        net->hierarchy = tree;
    }
    const std::vector<std::string> labels = dn::read_lines(label_list);
    if (labels.size() < std::size_t(classes))
        throw Error(label_list + ": has " + std::to_string(labels.size()) + " labels, but " + datacfg + " says classes=" + std::to_string(classes));
    if (net->outputs() < std::size_t(classes))
        throw Error(datacfg + ": classes=" + std::to_string(classes) + ", but " + cfg + " outputs " + std::to_string(net->outputs()));
    const std::vector<std::string> paths = read_image_list(valid_list);

    const int w = net->width(), h = net->height();
    float avg_acc = 0, avg_topk = 0;
    int failures = 0;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const std::string& path = paths[i];
        int cls = -1;
        for (int j = 0; j < classes; ++j)
            if (path.find(labels[j]) != std::string::npos) {
                cls = j;
                break;
            }
        std::vector<float> pred, tree_pred;
        try {
            if (sub == "valid") {
                const dn::Image crop = dn::center_crop_image(dn::load_image(path, 3), w, h);
                const float* p = dn::classifier_predictions(*net, net->forward(crop.data.data()), &tree_pred);
                pred.assign(p, p + classes);
            } else {  // valid10: five crops of the image resized 32 pixels larger, and of its mirror
                const int shift = 32;
                dn::Image im = dn::load_image(path, 3);
                if (im.w != w + shift || im.h != h + shift) im = dn::resize_image(im, w + shift, h + shift);
                pred.assign(classes, 0.f);
                for (int flip = 0; flip < 2; ++flip) {
                    if (flip) dn::flip_image(im);
                    const int offsets[5][2] = {{-shift, -shift}, {shift, -shift}, {0, 0}, {-shift, shift}, {shift, shift}};
                    for (const auto& o : offsets) {
                        const dn::Image crop = dn::crop_image(im, o[0], o[1], w, h);
                        const float* p = dn::classifier_predictions(*net, net->forward(crop.data.data()), &tree_pred);
                        for (int j = 0; j < classes; ++j) pred[j] += p[j];
                    }
                }
            }
        } catch (const Error& e) {
            report(e, &failures);
        }
        if (!pred.empty()) {
            std::vector<int> idx = dn::top_k(pred.data(), pred.size(), topk);
            idx.resize(topk, -1);  // upstream leaves -1 where k exceeds the classes
            if (idx[0] == cls) avg_acc += 1;
            for (int j = 0; j < topk; ++j)
                if (idx[j] == cls) avg_topk += 1;
            if (sub == "valid")
                std::printf("%s, %d, %f, %f, \n", path.c_str(), cls, double(pred[0]), double(classes > 1 ? pred[1] : 0.f));
        }
        const float n = float(i + 1);
        std::printf("%d: top 1: %f, top %d: %f\n", int(i), double(avg_acc / n), topk, double(avg_topk / n));
        std::fflush(stdout);
    }
    return failures ? 1 : 0;
}

namespace {

// Upstream's ids of the 80 COCO categories, in class order.
const int kCocoIds[80] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                          22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
                          46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65,
                          67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};

// Upstream's get_coco_image_id: the number after the last '_' (or after the last '/').
int coco_image_id(const std::string& path) {
    std::size_t p = path.rfind('_');
    if (p == std::string::npos) p = path.rfind('/');
    if (p == std::string::npos) throw Error(path + ": no '_' or '/' before a COCO image id");
    return std::atoi(path.c_str() + p + 1);
}

// A box's corners as upstream computes them: in double, stored in float.
struct Corners {
    float xmin, ymin, xmax, ymax;
};
Corners corners(const dn::Box& b, double add) {
    return {float(b.x - b.w / 2. + add), float(b.y - b.h / 2. + add), float(b.x + b.w / 2. + add),
            float(b.y + b.h / 2. + add)};
}

}  // namespace

int validate_detector(const std::string& datacfg, const std::string& cfg, const std::string& weights,
                      std::string outfile, const Common& common) {
    const dn::CfgSection data = dn::read_options_file(datacfg);
    dn::SectionReader dr(datacfg, data, 0);
    const std::string valid_images = required(dr, "valid");
    const std::string name_list = dr.get_string("names", "data/names.list");
    const std::string prefix = dr.get_string("results", "results");
    const std::string type = dr.get_string("eval", "voc");
    const std::string map_file = dr.get_string("map", "");
    // Read before the network loads, as upstream does (a missing map file stops it there).
    std::vector<int> map;
    if (!map_file.empty()) map = dn::read_class_map(map_file);

    auto net = load_network(cfg, weights, common.net);
    print_learning_rate(cfg);
    const std::vector<std::string> paths = read_image_list(valid_images);
    int classes = dn::detection_classes(*net);
    // Upstream's map: for a [region] with tree=, box class j (j < 200) is the tree's class
    // map[j]; other layers ignore it. Checked before any results file is opened.
    if (!map_file.empty()) {
        dn::check_class_map(*net, map, 200, map_file);
        map.resize(std::min<std::size_t>(map.size(), 200));
    }
    const std::vector<int>* class_map = map_file.empty() ? nullptr : &map;
    // AlexeyAB's validate_detector: the image stretched unless the cfg letterboxes, its
    // threshold .001 and NMS .6 of the last [yolo]'s kind, "Detection layer" lines on stdout
    // (its layer type numbers), COCO image ids from the whole file name.
    const dn::DetectorPipeline pipe = dn::detector_pipeline(*net, false);
    if (pipe.alexeyab) {
        if (type == "bdd" || type == "kitti")
            throw Error(datacfg + ": eval=" + type + " (AlexeyAB's) is not implemented");
        for (int k = 0; k < net->size(); ++k) {
            const dn::Layer& l = net->layer(k);
            const int kind = dynamic_cast<const dn::RegionLayer*>(&l) ? 27
                           : dynamic_cast<const dn::GaussianYoloLayer*>(&l) ? 29
                           : dynamic_cast<const dn::YoloLayer*>(&l) ? 28 : -1;
            if (kind >= 0) std::printf(" Detection layer: %d - type = %d \n", k, kind);
        }
    }

    File fp;
    std::vector<File> fps;
    const bool coco = type == "coco", imagenet = type == "imagenet";
    if (coco) {
        if (classes > 80) throw Error(cfg + ": eval=coco takes at most 80 classes, the network has " + std::to_string(classes));
        if (outfile.empty()) outfile = "coco_results";
        fp = open_for_writing(prefix + "/" + outfile + ".json");
        std::fprintf(fp.get(), "[\n");
    } else if (imagenet) {
        if (classes < 200) throw Error(cfg + ": eval=imagenet needs 200 classes, the network has " + std::to_string(classes));
        if (outfile.empty()) outfile = "imagenet-detection";
        fp = open_for_writing(prefix + "/" + outfile + ".txt");
        classes = 200;
    } else {
        const std::vector<std::string> names = dn::read_lines(name_list);  // only VOC needs them
        if (names.size() < std::size_t(classes))
            throw Error(name_list + ": has " + std::to_string(names.size()) + " names, but " + cfg + " detects " + std::to_string(classes) + " classes");
        if (outfile.empty()) outfile = "comp4_det_test_";
        for (int j = 0; j < classes; ++j) fps.push_back(open_for_writing(prefix + "/" + outfile + names[j] + ".txt"));
    }

    const float thresh = pipe.alexeyab ? .001f : .005f, nms = pipe.alexeyab ? .6f : .45f;
    const auto start = std::chrono::steady_clock::now();
    int failures = 0;
    long coco_lines = 0;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const std::string& path = paths[i];
        if (i % 4 == 0) std::fprintf(stderr, "%d\n", int(i + 4));  // upstream loads 4 at a time
        try {
            const dn::Image im = dn::load_image(path, 3);
            const dn::Image sized = dn::detector_input(pipe, im, net->width(), net->height());
            net->forward(sized.data.data());
            std::vector<dn::Detection> dets = dn::get_network_boxes(*net, im.w, im.h, thresh, .5f, false, pipe.letter, class_map);
            if (pipe.alexeyab)
                dn::do_nms_alexeyab(dets, dn::detection_classes(*net), nms, pipe.nms_kind, pipe.beta_nms);
            else
                dn::do_nms_sort(dets, classes, nms);
            const int w = im.w, h = im.h;
            if (coco) {
                const int image_id = pipe.alexeyab ? std::atoi(basecfg(path).c_str()) : coco_image_id(path);
                for (const dn::Detection& d : dets) {
                    Corners c = corners(d.bbox, 0);
                    c.xmin = std::max(c.xmin, 0.f), c.ymin = std::max(c.ymin, 0.f);
                    if (c.xmax > w) c.xmax = float(w);
                    if (c.ymax > h) c.ymax = float(h);
                    const float bw = c.xmax - c.xmin, bh = c.ymax - c.ymin;
                    for (int j = 0; j < classes; ++j)
                        if (d.prob[j] != 0) {
                            std::fprintf(fp.get(), "{\"image_id\":%d, \"category_id\":%d, \"bbox\":[%f, %f, %f, %f], \"score\":%f},\n",
                                         image_id, kCocoIds[j], double(c.xmin), double(c.ymin), double(bw), double(bh), double(d.prob[j]));
                            ++coco_lines;
                        }
                }
            } else {
                const bool voc = !imagenet;
                const std::string id = basecfg(path);
                for (const dn::Detection& d : dets) {
                    Corners c = corners(d.bbox, voc ? 1 : 0);
                    const float lo = voc ? 1.f : 0.f;
                    if (c.xmin < lo) c.xmin = lo;
                    if (c.ymin < lo) c.ymin = lo;
                    if (c.xmax > w) c.xmax = float(w);
                    if (c.ymax > h) c.ymax = float(h);
                    for (int j = 0; j < classes; ++j) {
                        if (d.prob[j] == 0) continue;
                        if (voc)
                            std::fprintf(fps[j].get(), "%s %f %f %f %f %f\n", id.c_str(), double(d.prob[j]), double(c.xmin), double(c.ymin), double(c.xmax), double(c.ymax));
                        else
                            std::fprintf(fp.get(), "%d %d %f %f %f %f %f\n", int(i + 1), j + 1, double(d.prob[j]), double(c.xmin), double(c.ymin), double(c.xmax), double(c.ymax));
                    }
                }
            }
        } catch (const Error& e) {
            report(e, &failures);
        }
    }
    if (coco) {
        // Upstream steps back over the last ",\n" (over the "[\n" when nothing was written).
        std::fseek(fp.get(), -2, SEEK_CUR);
        std::fprintf(fp.get(), "\n]\n");
        (void)coco_lines;
    }
    for (File& f : fps)
        if (std::fflush(f.get()) != 0) throw Error(prefix + "/" + outfile + ": write failed");
    if (fp && std::fflush(fp.get()) != 0) throw Error(prefix + "/" + outfile + ": write failed");
    std::fprintf(stderr, "Total Detection Time: %f Seconds\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return failures ? 1 : 0;
}

namespace {

// Upstream's do_nms_obj: boxes without objectness to the end, the rest sorted by objectness
// (stable, as glibc's merge sort), then every later box overlapping a kept one by more than
// `thresh` loses its objectness and class probabilities.
void do_nms_obj(std::vector<dn::Detection>& dets, int classes, float thresh) {
    int k = static_cast<int>(dets.size()) - 1;
    for (int i = 0; i <= k; ++i)
        if (dets[i].objectness == 0) {
            std::swap(dets[i], dets[k]);
            --k;
            --i;
        }
    const int total = k + 1;
    std::stable_sort(dets.begin(), dets.begin() + total,
                     [](const dn::Detection& a, const dn::Detection& b) { return a.objectness - b.objectness > 0; });
    for (int i = 0; i < total; ++i) {
        if (dets[i].objectness == 0) continue;
        for (int j = i + 1; j < total; ++j) {
            if (dets[j].objectness == 0) continue;
            if (dn::box_iou(dets[i].bbox, dets[j].bbox) > thresh) {
                dets[j].objectness = 0;
                for (int c = 0; c < classes && c < int(dets[j].prob.size()); ++c) dets[j].prob[c] = 0;
            }
        }
    }
}

// Upstream's read_boxes: "class x y w h" records until one does not parse.
std::vector<dn::Box> read_boxes(const std::string& path) {
    File f(std::fopen(path.c_str(), "r"));
    if (!f) throw Error(path + ": cannot open the label file");
    std::vector<dn::Box> boxes;
    int id;
    float x, y, w, h;
    while (std::fscanf(f.get(), "%d %f %f %f %f", &id, &x, &y, &w, &h) == 5) boxes.push_back({x, y, w, h});
    return boxes;
}

}  // namespace

int validate_detector_recall(const std::string& cfg, const std::string& weights, const Common& common) {
    auto net = load_network(cfg, weights, common.net);
    print_learning_rate(cfg);
    const std::vector<std::string> paths = read_image_list("data/coco_val_5k.list");
    dn::detection_classes(*net);  // the output layer must be [yolo] or [region]
    // Upstream looks for the best box among the first w*h*n of the output layer only.
    const dn::Layer& l = net->output_layer();
    std::size_t first = 0;
    if (const auto* y = dynamic_cast<const dn::YoloLayer*>(&l))
        first = std::size_t(l.out.w) * l.out.h * y->anchors();
    else
        first = std::size_t(l.out.w) * l.out.h * l.out.c;  // [region]: capped to all boxes below

    const float thresh = .001f, iou_thresh = .5f, nms = .4f;
    int total = 0, correct = 0, proposals = 0;
    float avg_iou = 0;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const std::string& path = paths[i];
        const dn::Image sized = dn::resize_image(dn::load_image(path, 3), net->width(), net->height());
        net->forward(sized.data.data());
        std::vector<dn::Detection> dets = dn::get_network_boxes(*net, sized.w, sized.h, thresh, .5f, true);
        do_nms_obj(dets, 1, nms);
        std::string labelpath = find_replace(path, "images", "labels");
        labelpath = find_replace(labelpath, "JPEGImages", "labels");
        labelpath = find_replace(labelpath, ".jpg", ".txt");
        labelpath = find_replace(labelpath, ".JPEG", ".txt");
        const std::vector<dn::Box> truth = read_boxes(labelpath);
        for (const dn::Detection& d : dets)
            if (d.objectness > thresh) ++proposals;
        const std::size_t n = std::min(first, dets.size());
        for (const dn::Box& t : truth) {
            ++total;
            float best_iou = 0;
            for (std::size_t k = 0; k < n; ++k) {
                const float iou = dn::box_iou(dets[k].bbox, t);
                if (dets[k].objectness > thresh && iou > best_iou) best_iou = iou;
            }
            avg_iou += best_iou;
            if (best_iou > iou_thresh) ++correct;
        }
        std::fprintf(stderr, "%5d %5d %5d\tRPs/Img: %.2f\tIOU: %.2f%%\tRecall:%.2f%%\n", int(i), correct, total,
                     double(float(proposals) / float(i + 1)), double(avg_iou * 100 / total), 100. * correct / total);
    }
    return 0;
}

}  // namespace cli
