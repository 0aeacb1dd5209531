#include "detection.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <utility>

#include "cfg.h"
#include "error.h"
#include "layers/detection_layer.h"
#include "network.h"
#include "layers/region_layer.h"
#include "layers/yolo_layer.h"

#include "fp_exact.h"  // last: no FMA contraction below, as upstream rounds

namespace dn {

void correct_boxes(Detection* dets, int n, int w, int h, int netw, int neth, bool relative) {
    int new_w = 0, new_h = 0;
    if (static_cast<float>(netw) / w < static_cast<float>(neth) / h) {
        new_w = netw;
        new_h = (h * netw) / w;
    } else {
        new_h = neth;
        new_w = (w * neth) / h;
    }
    for (int i = 0; i < n; ++i) {
        Box b = dets[i].bbox;
        // Upstream mixes double (the /2. terms) and float; the casts keep its rounding.
        b.x = static_cast<float>((b.x - (netw - new_w) / 2. / netw) / (static_cast<float>(new_w) / netw));
        b.y = static_cast<float>((b.y - (neth - new_h) / 2. / neth) / (static_cast<float>(new_h) / neth));
        b.w *= static_cast<float>(netw) / new_w;
        b.h *= static_cast<float>(neth) / new_h;
        if (!relative) {
            b.x *= w;
            b.w *= w;
            b.y *= h;
            b.h *= h;
        }
        dets[i].bbox = b;
    }
}

void correct_boxes_alexeyab(Detection* dets, int n, int w, int h, int netw, int neth, bool relative,
                            bool letter) {
    int new_w = netw, new_h = neth;
    if (letter) {
        if (static_cast<float>(netw) / w < static_cast<float>(neth) / h) {
            new_h = (h * netw) / w;
        } else {
            new_w = (w * neth) / h;
        }
    }
    const float deltaw = static_cast<float>(netw - new_w), deltah = static_cast<float>(neth - new_h);
    const float ratiow = static_cast<float>(new_w) / netw, ratioh = static_cast<float>(new_h) / neth;
    for (int i = 0; i < n; ++i) {
        Box b = dets[i].bbox;
        b.x = static_cast<float>((b.x - deltaw / 2. / netw) / ratiow);
        b.y = static_cast<float>((b.y - deltah / 2. / neth) / ratioh);
        b.w *= 1 / ratiow;
        b.h *= 1 / ratioh;
        if (!relative) {
            b.x *= w;
            b.w *= w;
            b.y *= h;
            b.h *= h;
        }
        dets[i].bbox = b;
    }
}

int detection_classes(const Network& net) {
    const Layer& l = net.output_layer();
    if (const auto* y = dynamic_cast<const YoloLayer*>(&l)) return y->classes();
    if (const auto* r = dynamic_cast<const RegionLayer*>(&l)) return r->classes();
    if (const auto* d = dynamic_cast<const DetectionLayer*>(&l)) return d->classes();
    throw Error(net.cfg_path + ": not a detection network: the last layer must be [yolo], [region] or [detection], got " + l.kind());
}

std::vector<Detection> get_network_boxes(const Network& net, int w, int h, float thresh,
                                         float hier, bool relative, bool letter,
                                         const std::vector<int>* map) {
    // Upstream sizes every box's class array by the last layer; a larger earlier layer
    // would overrun it, so take the largest.
    int total = 0, classes = 0;
    for (int i = 0; i < net.size(); ++i) {
        const Layer& l = net.layer(i);
        if (const auto* y = dynamic_cast<const YoloLayer*>(&l)) {
            total += y->num_detections(thresh);
            classes = std::max(classes, y->classes());
        } else if (const auto* r = dynamic_cast<const RegionLayer*>(&l)) {
            total += r->num_detections();
            classes = std::max(classes, r->classes());
            if (map && r->has_tree()) classes = std::max(classes, int(map->size()));
        } else if (const auto* d = dynamic_cast<const DetectionLayer*>(&l)) {
            total += d->num_detections();
            classes = std::max(classes, d->classes());
        }
    }
    std::vector<Detection> dets(total);
    for (Detection& d : dets) d.prob.assign(classes, 0.f);
    Detection* next = dets.data();
    for (int i = 0; i < net.size(); ++i) {
        const Layer& l = net.layer(i);
        if (const auto* y = dynamic_cast<const YoloLayer*>(&l)) {
            next += y->get_detections(w, h, net.width(), net.height(), thresh, relative, next, letter);
        } else if (const auto* r = dynamic_cast<const RegionLayer*>(&l)) {
            r->get_detections(w, h, net.width(), net.height(), thresh, hier, relative, next, letter, map);
            next += r->num_detections();
        } else if (const auto* d = dynamic_cast<const DetectionLayer*>(&l)) {
            // Upstream's get_detection_detections: pixels of the w x h image whatever
            // `relative` says, and no letterbox correction.
            d->get_detections(w, h, thresh, next);
            next += d->num_detections();
        }
    }
    return dets;
}

std::vector<int> read_class_map(const std::string& path) {
    std::vector<int> map;
    int line = 0;
    for (const std::string& text : read_lines(path)) {
        ++line;
        char* end = nullptr;
        errno = 0;
        const long v = std::strtol(text.c_str(), &end, 10);
        while (end && (*end == ' ' || *end == '\t' || *end == '\r')) ++end;
        if (text.empty() || end == text.c_str() || *end != 0 || errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
            throw Error(path + ":" + std::to_string(line) + ": \"" + text + "\" is not a class index");
        map.push_back(int(v));
    }
    return map;
}

void check_class_map(const Network& net, const std::vector<int>& map, std::size_t needed,
                     const std::string& path) {
    for (int i = 0; i < net.size(); ++i) {
        const auto* r = dynamic_cast<const RegionLayer*>(&net.layer(i));
        if (!r || !r->has_tree()) continue;
        if (map.size() < needed)
            throw Error(path + ": has " + std::to_string(map.size()) + " classes, but " + std::to_string(needed) +
                        " are read from it");
        for (std::size_t j = 0; j < needed; ++j)
            if (map[j] < 0 || map[j] >= r->classes())
                throw Error(path + ":" + std::to_string(j + 1) + ": class " + std::to_string(map[j]) +
                            " is not one of the " + std::to_string(r->classes()) + " classes of " + net.cfg_path);
    }
}

namespace {

// Where a box stands in upstream's array between its per-class sorts, as a key that orders
// the whole array: (group, rank), smallest first. Each class's sort moves that class's boxes
// with a positive probability to the front (in their sorted order) and those with a negative
// one to the back, and keeps every other box in its relative place. So a box last moved to
// the front by class c has group classes - c (later classes nearer the front) and its rank in
// that sort; a box never moved has group classes + 1 and its index; a box last moved to the
// back by class c has group classes + 2 + c and its rank among that sort's negatives.
struct NmsKey {
    int group = 0, rank = 0;
    bool operator<(const NmsKey& o) const { return group != o.group ? group < o.group : rank < o.rank; }
    // The same order in one integer (group and rank are never negative).
    std::uint64_t packed() const { return (std::uint64_t(group) << 32) | std::uint32_t(rank); }
};

struct LiveBox {
    float p;
    std::uint64_t key;  // NmsKey::packed()
    int index;
};

// Below this many live boxes a class compares each with every survivor before it.
constexpr std::size_t kGridMinBoxes = 48;

// The survivors of one class's suppression, found by position. A uniform grid spans the
// class's live boxes; a survivor is listed in every cell its extent touches, or, when that is
// more than kMaxCells cells or an edge is not finite, in a list every query reads. A query
// reads the cells of its own extent widened by one cell. Two boxes whose intersection is
// positive share a point of both extents, and cell indices are monotonic in the coordinate,
// so every survivor that can overlap a query is read: the result is exactly that of
// comparing with all survivors.
class SurvivorGrid {
public:
    explicit SurvivorGrid(int n) : stamp_(std::size_t(n), 0) {}

    void reset(const Box* boxes, const std::vector<LiveBox>& live) {
        for (int cell : used_) cells_[std::size_t(cell)].clear();
        used_.clear();
        wide_.clear();
        // The grid spans the centres (any span is correct: cell indices clamp, which keeps
        // them monotonic); huge boxes then go to the wide list instead of stretching it.
        double x0 = HUGE_VAL, x1 = -HUGE_VAL, y0 = HUGE_VAL, y1 = -HUGE_VAL;
        for (const LiveBox& lb : live) {
            const Box& b = boxes[lb.index];
            if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.w * b.h)) continue;
            x0 = std::min(x0, double(b.x));
            x1 = std::max(x1, double(b.x));
            y0 = std::min(y0, double(b.y));
            y1 = std::max(y1, double(b.y));
        }
        side_ = static_cast<int>(std::min<double>(kMaxSide, std::sqrt(double(live.size()))));
        if (side_ < 1) side_ = 1;
        x0_ = x0;
        y0_ = y0;
        sx_ = x1 > x0 ? side_ / (x1 - x0) : 0;
        sy_ = y1 > y0 ? side_ / (y1 - y0) : 0;
        if (cells_.size() < std::size_t(side_) * side_) cells_.resize(std::size_t(side_) * side_);
    }

    void insert(int index, const Box& b) {
        const Extent e = extent(b);
        if (!e.finite) {
            wide_.push_back(index);
            return;
        }
        const int cx0 = cell(e.l, x0_, sx_), cx1 = cell(e.r, x0_, sx_);
        const int cy0 = cell(e.t, y0_, sy_), cy1 = cell(e.b, y0_, sy_);
        if (cx1 < cx0 || cy1 < cy0) return;  // negative width or height: never intersects
        if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > kMaxCells) {
            wide_.push_back(index);
            return;
        }
        for (int y = cy0; y <= cy1; ++y)
            for (int x = cx0; x <= cx1; ++x) {
                std::vector<int>& list = cells_[std::size_t(y) * side_ + x];
                if (list.empty()) used_.push_back(y * side_ + x);
                list.push_back(index);
            }
    }

    // Whether pred(i) holds for some survivor i that may intersect b (each tried once).
    template <class Pred>
    bool any(const Box& b, const std::vector<int>& all, Pred pred) {
        const Extent e = extent(b);
        if (!e.finite) {
            for (int i : all)
                if (pred(i)) return true;
            return false;
        }
        for (int i : wide_)
            if (pred(i)) return true;
        if (++query_ == 0) {  // wrapped: forget old stamps
            std::fill(stamp_.begin(), stamp_.end(), 0u);
            query_ = 1;
        }
        const int cx0 = std::max(cell(e.l, x0_, sx_) - 1, 0);
        const int cx1 = std::min(cell(e.r, x0_, sx_) + 1, side_ - 1);
        const int cy0 = std::max(cell(e.t, y0_, sy_) - 1, 0);
        const int cy1 = std::min(cell(e.b, y0_, sy_) + 1, side_ - 1);
        for (int y = cy0; y <= cy1; ++y)
            for (int x = cx0; x <= cx1; ++x)
                for (int i : cells_[std::size_t(y) * side_ + x]) {
                    if (stamp_[std::size_t(i)] == query_) continue;
                    stamp_[std::size_t(i)] = query_;
                    if (pred(i)) return true;
                }
        return false;
    }

private:
    static constexpr int kMaxSide = 64, kMaxCells = 64;

    struct Extent {
        double l, r, t, b;
        bool finite;
    };
    // The edges box_overlap computes (in float, as it does).
    static Extent extent(const Box& b) {
        const float l = b.x - b.w / 2, r = b.x + b.w / 2;
        const float t = b.y - b.h / 2, bo = b.y + b.h / 2;
        return {l, r, t, bo, std::isfinite(l) && std::isfinite(r) && std::isfinite(t) && std::isfinite(bo)};
    }
    // Monotonic in v, clamped to the grid.
    int cell(double v, double origin, double scale) const {
        const double d = (v - origin) * scale;
        if (!(d > 0)) return 0;
        if (d >= side_) return side_ - 1;
        return static_cast<int>(d);
    }

    int side_ = 1;
    double x0_ = 0, y0_ = 0, sx_ = 0, sy_ = 0;
    std::vector<std::vector<int>> cells_;
    std::vector<int> used_, wide_;
    std::vector<unsigned> stamp_;
    unsigned query_ = 0;
};

}  // namespace

std::vector<int> nms_sort_live(int n, int classes, float thresh, float* const* prob,
                               const Box* boxes) {
    std::vector<NmsKey> key(n);
    for (int i = 0; i < n; ++i) key[i] = {classes + 1, i};
    if (classes > 0 && n > 0) {
        // The live boxes of every class (probability not 0), in one pass over the rows:
        // a box whose probability is 0 for a class never suppresses and is never moved by
        // that class's sort, so the rest of the work only sees live boxes.
        std::vector<std::size_t> start(std::size_t(classes) + 1, 0);
        for (int i = 0; i < n; ++i)
            for (int c = 0; c < classes; ++c)
                if (prob[i][c] != 0) ++start[std::size_t(c) + 1];
        for (int c = 0; c < classes; ++c) start[std::size_t(c) + 1] += start[std::size_t(c)];
        // Box and probability of each live entry, grouped by class (read row by row, once).
        std::vector<int> live(start[std::size_t(classes)]);
        std::vector<float> live_p(live.size());
        {
            std::vector<std::size_t> fill(start.begin(), start.end() - 1);
            for (int i = 0; i < n; ++i)
                for (int c = 0; c < classes; ++c) {
                    const float p = prob[i][c];
                    if (p == 0) continue;
                    const std::size_t k = fill[std::size_t(c)]++;
                    live[k] = i;
                    live_p[k] = p;
                }
        }
        std::vector<LiveBox> sorted;
        std::vector<int> kept;
        SurvivorGrid grid(n);
        for (int c = 0; c < classes; ++c) {
            const std::size_t b = start[std::size_t(c)], e = start[std::size_t(c) + 1];
            if (b == e) continue;
            sorted.clear();
            for (std::size_t k = b; k < e; ++k) {
                const int i = live[k];
                sorted.push_back({live_p[k], key[i].packed(), i});
            }
            // Upstream's stable sort by descending probability, restricted to the live boxes:
            // equal probabilities keep the order the previous classes left.
            std::sort(sorted.begin(), sorted.end(), [](const LiveBox& x, const LiveBox& y) {
                if (x.p - y.p > 0) return true;
                if (y.p - x.p > 0) return false;
                return x.key < y.key;
            });
            // Greedy suppression in that order. A box survives its visit when no earlier
            // survivor overlaps it by more than thresh; upstream zeroes every later box a
            // survivor overlaps, which is the same set. Comparing with the survivors only
            // keeps the same IoU calls (survivor first) that upstream makes for these pairs.
            // With thresh >= 0 an IoU above it needs a positive intersection, so many live
            // boxes are compared only with the survivors a grid finds near them.
            kept.clear();
            const bool use_grid = thresh >= 0 && sorted.size() > kGridMinBoxes;
            if (use_grid) grid.reset(boxes, sorted);
            int positives = 0, negatives = 0;
            for (const LiveBox& lb : sorted) {
                const NmsKey moved = lb.p > 0 ? NmsKey{classes - c, positives++}
                                              : NmsKey{classes + 2 + c, negatives++};
                key[lb.index] = moved;
                const Box& bj = boxes[lb.index];
                // With thresh >= 0, a box whose area (w * h, as box_union computes it) is not
                // finite has no IoU above thresh with any box: the union is then +-inf or NaN,
                // so the IoU is 0, -0 or NaN. It survives and suppresses nothing.
                if (use_grid && !std::isfinite(bj.w * bj.h)) continue;
                const auto overlaps = [&](int i) { return box_iou(boxes[i], bj) > thresh; };
                bool suppressed = false;
                if (use_grid) {
                    suppressed = grid.any(bj, kept, overlaps);
                } else {
                    for (int i : kept)
                        if (overlaps(i)) {
                            suppressed = true;
                            break;
                        }
                }
                if (suppressed) {
                    prob[lb.index][c] = 0;
                } else {
                    kept.push_back(lb.index);
                    if (use_grid) grid.insert(lb.index, bj);
                }
            }
        }
    }
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&key](int a, int b) { return key[a] < key[b]; });
    return order;
}

namespace {

// Upstream's swap loop before NMS: boxes without objectness go to the end, in the order it
// leaves them (which decides the order of equal probabilities). Returns the boxes before them.
int move_empty_to_end(std::vector<Detection>& dets) {
    int k = static_cast<int>(dets.size()) - 1;
    for (int i = 0; i <= k; ++i) {
        if (dets[i].objectness == 0) {
            std::swap(dets[i], dets[k]);
            --k;
            --i;
        }
    }
    return k + 1;
}

}  // namespace

void do_nms_sort(std::vector<Detection>& dets, int classes, float thresh) {
    // Boxes without objectness go to the end by upstream's swap loop; the order it leaves
    // decides the order of equal probabilities below.
    const int total = move_empty_to_end(dets);
    std::vector<float*> prob(static_cast<std::size_t>(total));
    std::vector<Box> boxes(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
        DN_ASSERT(static_cast<int>(dets[i].prob.size()) >= classes);
        prob[i] = dets[i].prob.data();
        boxes[i] = dets[i].bbox;
    }
    const std::vector<int> order = nms_sort_live(total, classes, thresh, prob.data(), boxes.data());
    std::vector<Detection> sorted;
    sorted.reserve(dets.size());
    for (int i : order) sorted.push_back(std::move(dets[i]));
    for (std::size_t i = std::size_t(total); i < dets.size(); ++i) sorted.push_back(std::move(dets[i]));
    dets.swap(sorted);
    if (classes > 0)
        for (int i = 0; i < total; ++i) dets[i].sort_class = classes - 1;
}

namespace {

// AlexeyAB's box.c: box_iou guards the empty case; box_c is the enclosing box; the DIoU
// penalty is pow(d / c, beta) in double, rounded to float.
float iou_alexeyab(const Box& a, const Box& b) {
    const float i = box_intersection(a, b), u = box_union(a, b);
    if (i == 0 || u == 0) return 0;
    return i / u;
}

float diou_alexeyab(const Box& a, const Box& b, double beta) {
    const float top = std::fmin(a.y - a.h / 2, b.y - b.h / 2), bot = std::fmax(a.y + a.h / 2, b.y + b.h / 2);
    const float left = std::fmin(a.x - a.w / 2, b.x - b.w / 2), right = std::fmax(a.x + a.w / 2, b.x + b.w / 2);
    const float w = right - left, h = bot - top;
    const float c = w * w + h * h;
    const float iou = iou_alexeyab(a, b);
    if (c == 0) return iou;
    const float d = (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
    const float u = static_cast<float>(std::pow(d / c, beta));
    return iou - u;
}

}  // namespace

void do_nms_alexeyab(std::vector<Detection>& dets, int classes, float thresh, int kind, float beta) {
    const int total = move_empty_to_end(dets);
    const auto end = dets.begin() + total;
    for (int c = 0; c < classes; ++c) {
        for (auto it = dets.begin(); it != end; ++it) it->sort_class = c;
        // glibc's qsort is a stable merge sort here, as in do_nms_sort.
        std::stable_sort(dets.begin(), end, [c](const Detection& a, const Detection& b) {
            return a.prob[c] - b.prob[c] > 0;
        });
        for (int i = 0; i < total; ++i) {
            if (dets[i].prob[c] == 0) continue;
            const Box a = dets[i].bbox;
            for (int j = i + 1; j < total; ++j) {
                const Box& b = dets[j].bbox;
                const float overlap = kind == 1 ? diou_alexeyab(a, b, 0.6) : kind == 2 ? diou_alexeyab(a, b, beta) : iou_alexeyab(a, b);
                if (overlap > thresh) dets[j].prob[c] = 0;
            }
        }
    }
}

PixelBox to_pixels(const Box& b, int im_w, int im_h) {
    PixelBox p;
    // Upstream: double expressions truncated to int, then clipped.
    p.left = static_cast<int>((b.x - b.w / 2.) * im_w);
    p.right = static_cast<int>((b.x + b.w / 2.) * im_w);
    p.top = static_cast<int>((b.y - b.h / 2.) * im_h);
    p.bottom = static_cast<int>((b.y + b.h / 2.) * im_h);
    if (p.left < 0) p.left = 0;
    if (p.right > im_w - 1) p.right = im_w - 1;
    if (p.top < 0) p.top = 0;
    if (p.bottom > im_h - 1) p.bottom = im_h - 1;
    return p;
}

DetectorPipeline detector_pipeline(const Network& net, bool letter_box_flag) {
    DetectorPipeline p;
    p.alexeyab = net.dialect == Dialect::alexeyab;
    p.letter = !p.alexeyab || net.letter_box || letter_box_flag;
    for (int i = 0; i < net.size(); ++i)
        if (const auto* y = dynamic_cast<const YoloLayer*>(&net.layer(i))) {
            p.nms_kind = static_cast<int>(y->options().nms_kind);
            p.beta_nms = y->options().beta_nms;
        }
    return p;
}

Image detector_input(const DetectorPipeline& p, const Image& im, int netw, int neth) {
    return p.letter ? letterbox_image(im, netw, neth) : resize_image(im, netw, neth);
}

std::vector<Detection> detector_boxes(const Network& net, const DetectorPipeline& p, int im_w,
                                      int im_h, float thresh, float hier, float nms) {
    std::vector<Detection> dets = get_network_boxes(net, im_w, im_h, thresh, hier, true, p.letter);
    if (nms > 0) {
        const int classes = detection_classes(net);
        if (p.alexeyab)
            do_nms_alexeyab(dets, classes, nms, p.nms_kind, p.beta_nms);
        else
            do_nms_sort(dets, classes, nms);
    }
    return dets;
}

}  // namespace dn
