#include "layers/region_layer.h"

#include <cmath>
#include <cstring>

#include "activations.h"
#include "detection.h"
#include "layers/softmax_layer.h"

#include "fp_exact.h"  // last: no FMA contraction below, as upstream rounds

namespace dn {

namespace {

// AlexeyAB's logistic_activate: float arithmetic and expf.
float logistic_float(float x) { return 1.f / (1.f + std::exp(-x)); }

}  // namespace

RegionLayer::RegionLayer(int batch_, Shape input, const RegionOptions& opt) : opt_(opt) {
    batch = batch_;
    in = input;
    out = input;
    opt_.biases.resize(std::size_t(2) * opt_.num, .5f);
}

std::size_t RegionLayer::entry_index(int b, int location, int entry) const {
    const int wh = out.w * out.h;
    const int n = location / wh, loc = location % wh;
    return std::size_t(b) * outputs() + std::size_t(n) * wh * (opt_.coords + opt_.classes + 1) +
           std::size_t(entry) * wh + loc;
}

void RegionLayer::forward(const float* input, const Network&, const ForwardContext&) {
    float* y = mutable_output();
    std::memcpy(y, input, std::size_t(batch) * outputs() * sizeof(float));
    const int wh = out.w * out.h;
    if (opt_.alexeyab) {  // objectness only; x, y at decoding; classes raw unless softmax
        for (int b = 0; b < batch; ++b)
            for (int n = 0; n < opt_.num; ++n) {
                float* o = y + entry_index(b, n * wh, 4);
                for (int i = 0; i < wh; ++i) o[i] = logistic_float(o[i]);
            }
    }
    for (int b = 0; b < batch && !opt_.alexeyab; ++b)
        for (int n = 0; n < opt_.num; ++n) {
            activate_array(y + entry_index(b, n * wh, 0), std::size_t(2) * wh, Activation::logistic);
            if (!opt_.background)
                activate_array(y + entry_index(b, n * wh, opt_.coords), wh, Activation::logistic);
            if (!opt_.softmax && !opt_.tree)
                activate_array(y + entry_index(b, n * wh, opt_.coords + 1),
                               std::size_t(opt_.classes) * wh, Activation::logistic);
        }
    if (opt_.tree) {
        // Upstream's CPU build (the Debian package's), bit for bit: for each group of the
        // tree, softmax_cpu(input + count, size, batch, inputs, n*w*h, 1, n*w*h, temperature)
        // from count = coords + 1. That indexes the classes as if anchors and cells were
        // interleaved, and [region] never sets its temperature, so it divides by 0: the
        // entries it writes (from coords + 1 up to about classes * n*w*h) become NaN and the
        // class planes beyond stay raw. (Its GPU build computes a proper softmax per group.)
        const int nwh = opt_.num * wh;
        int count = opt_.coords + 1;
        for (int g = 0; g < opt_.tree->groups(); ++g) {
            const int size = opt_.tree->group_size[g];
            for (int b = 0; b < batch; ++b)
                for (int k = 0; k < nwh; ++k) {
                    const std::size_t at = std::size_t(b) * outputs() + count + k;
                    softmax(input + at, size, 0.f, nwh, y + at);
                }
            count += size;
        }
        return;
    }
    if (!opt_.softmax) return;
    // Upstream takes the softmax of the raw input, per anchor and cell, across the class
    // planes (stride w*h).
    const std::size_t first = entry_index(0, 0, opt_.coords + !opt_.background);
    const std::size_t per_anchor = outputs() / opt_.num;
    for (int bn = 0; bn < batch * opt_.num; ++bn)
        for (int g = 0; g < wh; ++g) {
            const std::size_t at = first + bn * per_anchor + g;
            softmax(input + at, opt_.classes + opt_.background, 1.f, wh, y + at);
        }
}

void RegionLayer::get_detections(int w, int h, int netw, int neth, float thresh, float hier, bool relative,
                                 Detection* dets, bool letter, const std::vector<int>* map) const {
    const float* p = output();
    const int wh = out.w * out.h;
    if (opt_.alexeyab) {
        get_detections_alexeyab(w, h, netw, neth, thresh, relative, dets, letter);
        return;
    }
    std::vector<float> column(opt_.tree ? opt_.classes : 0);
    for (int i = 0; i < wh; ++i) {
        const int row = i / out.w, col = i % out.w;
        for (int n = 0; n < opt_.num; ++n) {
            Detection& d = dets[n * wh + i];
            for (int j = 0; j < opt_.classes; ++j) d.prob[j] = 0;
            const std::size_t bi = entry_index(0, n * wh + i, 0);
            const float scale = opt_.background ? 1 : p[entry_index(0, n * wh + i, opt_.coords)];
            // Upstream: x, y in float; w, h through double exp, rounded once at the end.
            d.bbox.x = (col + p[bi]) / out.w;
            d.bbox.y = (row + p[bi + wh]) / out.h;
            d.bbox.w = static_cast<float>(std::exp(double(p[bi + 2 * wh])) * opt_.biases[2 * n] / out.w);
            d.bbox.h = static_cast<float>(std::exp(double(p[bi + 3 * wh])) * opt_.biases[2 * n + 1] / out.h);
            d.objectness = scale > thresh ? scale : 0;
            if (opt_.tree) {
                // Upstream multiplies along the tree in its output buffer (stride w*h); here
                // in a copy, so that decoding twice gives the same boxes.
                const int first = opt_.coords + !opt_.background;
                const std::size_t ci = entry_index(0, n * wh + i, first);
                for (int j = 0; j < opt_.classes; ++j) column[j] = p[ci + std::size_t(j) * wh];
                hierarchy_predictions(column.data(), opt_.classes, *opt_.tree, false, 1);
                if (map) {
                    // Upstream reads entry coords + 1 + map[j] whatever `background` says:
                    // with background=1 one past the tree's class, and the last one raw.
                    for (std::size_t j = 0; j < map->size(); ++j) {
                        const int e = opt_.coords + 1 + (*map)[j];
                        const float v = e - first < opt_.classes ? column[std::size_t(e - first)]
                                                                 : p[entry_index(0, n * wh + i, e)];
                        const float prob = scale * v;
                        d.prob[j] = prob > thresh ? prob : 0;
                    }
                    continue;
                }
                const int j = hierarchy_top_prediction(column.data(), *opt_.tree, hier, 1);
                d.prob[j] = scale > thresh ? scale : 0;
                continue;
            }
            if (d.objectness == 0) continue;
            for (int j = 0; j < opt_.classes; ++j) {
                const float prob = scale * p[entry_index(0, n * wh + i, opt_.coords + 1 + j)];
                d.prob[j] = prob > thresh ? prob : 0;
            }
        }
    }
    correct_boxes(dets, wh * opt_.num, w, h, netw, neth, relative);
}

// AlexeyAB's custom_get_region_detections over get_region_boxes: boxes listed cell by cell
// (anchor fastest), x and y through its float logistic, objectness 1 for every box.
void RegionLayer::get_detections_alexeyab(int w, int h, int netw, int neth, float thresh, bool relative,
                                          Detection* dets, bool letter) const {
    const float* p = output();
    const int wh = out.w * out.h;
    for (int i = 0; i < wh; ++i) {
        const int row = i / out.w, col = i % out.w;
        for (int n = 0; n < opt_.num; ++n) {
            Detection& d = dets[i * opt_.num + n];
            const std::size_t bi = entry_index(0, n * wh + i, 0);
            float scale = p[entry_index(0, n * wh + i, 4)];
            if (opt_.classfix == -1 && scale < .5f) scale = 0;
            d.bbox.x = (col + logistic_float(p[bi])) / out.w;
            d.bbox.y = (row + logistic_float(p[bi + wh])) / out.h;
            d.bbox.w = static_cast<float>(std::exp(double(p[bi + 2 * wh])) * opt_.biases[2 * n] / out.w);
            d.bbox.h = static_cast<float>(std::exp(double(p[bi + 3 * wh])) * opt_.biases[2 * n + 1] / out.h);
            d.objectness = 1;
            for (int j = 0; j < opt_.classes; ++j) {
                const float prob = scale * p[entry_index(0, n * wh + i, 5 + j)];
                d.prob[j] = prob > thresh ? prob : 0;
            }
        }
    }
    correct_boxes_alexeyab(dets, wh * opt_.num, w, h, netw, neth, relative, letter);
}

}  // namespace dn
