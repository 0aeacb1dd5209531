#include "detection.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "error.h"
#include "network.h"
#include "region_layer.h"
#include "yolo_layer.h"

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
    throw Error(net.cfg_path + ": not a detection network: the last layer must be [yolo] or [region], got " + l.kind());
}

std::vector<Detection> get_network_boxes(const Network& net, int w, int h, float thresh,
                                         float /*hier*/, bool relative, bool letter) {
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
            r->get_detections(w, h, net.width(), net.height(), thresh, relative, next);
            next += r->num_detections();
        }
    }
    return dets;
}

void do_nms_sort(std::vector<Detection>& dets, int classes, float thresh) {
    // Boxes without objectness go to the end by upstream's swap loop; the order it leaves
    // decides the order of equal probabilities below.
    int k = static_cast<int>(dets.size()) - 1;
    for (int i = 0; i <= k; ++i) {
        if (dets[i].objectness == 0) {
            std::swap(dets[i], dets[k]);
            --k;
            --i;
        }
    }
    const int total = k + 1;
    const auto end = dets.begin() + total;
    for (int c = 0; c < classes; ++c) {
        for (auto it = dets.begin(); it != end; ++it) it->sort_class = c;
        // glibc's qsort is a stable merge sort for arrays like this; stable_sort with the
        // same ordering gives the same permutation.
        std::stable_sort(dets.begin(), end, [c](const Detection& a, const Detection& b) {
            return a.prob[c] - b.prob[c] > 0;
        });
        for (int i = 0; i < total; ++i) {
            if (dets[i].prob[c] == 0) continue;
            const Box a = dets[i].bbox;
            for (int j = i + 1; j < total; ++j)
                if (box_iou(a, dets[j].bbox) > thresh) dets[j].prob[c] = 0;
        }
    }
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
    int k = static_cast<int>(dets.size()) - 1;
    for (int i = 0; i <= k; ++i) {
        if (dets[i].objectness == 0) {
            std::swap(dets[i], dets[k]);
            --k;
            --i;
        }
    }
    const int total = k + 1;
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

}  // namespace dn
