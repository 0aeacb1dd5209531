#include "layers/yolo_layer.h"

#include <omp.h>

#include <cmath>
#include <cstring>

#include "activations.h"
#include "detection.h"

#include "fp_exact.h"  // last: no FMA contraction below, as upstream rounds

namespace dn {

YoloLayer::YoloLayer(int batch_, Shape input, int classes, std::vector<int> mask,
                     std::vector<float> biases, const YoloOptions& options)
    : classes_(classes), mask_(std::move(mask)), biases_(std::move(biases)), options_(options) {
    batch = batch_;
    in = input;
    out = input;
}

std::size_t YoloLayer::entry_index(int b, int location, int entry) const {
    const int wh = out.w * out.h;
    const int n = location / wh, loc = location % wh;
    return std::size_t(b) * outputs() + std::size_t(n) * wh * (4 + classes_ + 1) +
           std::size_t(entry) * wh + loc;
}

void YoloLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    float* y = mutable_output();
    std::memcpy(y, input, std::size_t(batch) * outputs() * sizeof(float));
    const int wh = out.w * out.h;
    const int anchors = static_cast<int>(mask_.size());
    // Logistic on x, y and on objectness + classes of every anchor. Element-wise, so one
    // parallel region in which each thread takes the same slice of every segment gives the
    // same result for any thread count.
    const std::size_t work = std::size_t(batch) * anchors * (3 + classes_) * wh;
#pragma omp parallel num_threads(ctx.threads) if (work >= 16384)
    {
        const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
        const std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
        const YoloOptions& o = options_;
        auto slice = [&](float* x, std::size_t n) {
            const std::size_t lo = n * t / nt, hi = n * (t + 1) / nt;
            if (!o.alexeyab) {
                activate_array(x + lo, hi - lo, Activation::logistic);
                return;
            }
            // AlexeyAB's logistic_activate: float arithmetic and expf.
            for (std::size_t i = lo; i < hi; ++i) x[i] = 1.f / (1.f + std::exp(-x[i]));
        };
        // AlexeyAB's scal_add_cpu on x and y: x * ALPHA + BETA in float.
        const float alpha = o.scale_x_y, beta = static_cast<float>(-0.5 * (o.scale_x_y - 1));
        auto scale_xy = [&](float* x, std::size_t n) {
            const std::size_t lo = n * t / nt, hi = n * (t + 1) / nt;
            for (std::size_t i = lo; i < hi; ++i) x[i] = x[i] * alpha + beta;
        };
        for (int b = 0; b < batch; ++b)
            for (int n = 0; n < anchors; ++n) {
                if (!o.new_coords) {
                    slice(y + entry_index(b, n * wh, 0), std::size_t(2) * wh);
                    slice(y + entry_index(b, n * wh, 4), std::size_t(1 + classes_) * wh);
                }
                if (o.alexeyab) scale_xy(y + entry_index(b, n * wh, 0), std::size_t(2) * wh);
            }
    }
}

int YoloLayer::num_detections(float thresh) const {
    const int wh = out.w * out.h;
    int count = 0;
    for (int i = 0; i < wh; ++i)
        for (int n = 0; n < static_cast<int>(mask_.size()); ++n)
            if (output()[entry_index(0, n * wh + i, 4)] > thresh) ++count;
    return count;
}

int YoloLayer::get_detections(int w, int h, int netw, int neth, float thresh, bool relative,
                              Detection* dets, bool letter) const {
    const float* p = output();
    const int wh = out.w * out.h;
    int count = 0;
    for (int i = 0; i < wh; ++i) {
        const int row = i / out.w, col = i % out.w;
        for (int n = 0; n < static_cast<int>(mask_.size()); ++n) {
            const float objectness = p[entry_index(0, n * wh + i, 4)];
            if (objectness <= thresh) continue;
            const std::size_t bi = entry_index(0, n * wh + i, 0);
            const int a = mask_[n];
            Detection& d = dets[count];
            // Upstream: x, y in float; w, h through double exp, rounded once at the end.
            d.bbox.x = (col + p[bi]) / out.w;
            d.bbox.y = (row + p[bi + wh]) / out.h;
            if (options_.new_coords) {  // AlexeyAB: float products
                const float tw = p[bi + 2 * wh], th = p[bi + 3 * wh];
                d.bbox.w = tw * tw * 4 * biases_[2 * a] / netw;
                d.bbox.h = th * th * 4 * biases_[2 * a + 1] / neth;
            } else {
                d.bbox.w = static_cast<float>(std::exp(double(p[bi + 2 * wh])) * biases_[2 * a] / netw);
                d.bbox.h = static_cast<float>(std::exp(double(p[bi + 3 * wh])) * biases_[2 * a + 1] / neth);
            }
            d.objectness = objectness;
            for (int j = 0; j < classes_; ++j) {
                const float prob = objectness * p[entry_index(0, n * wh + i, 5 + j)];
                d.prob[j] = prob > thresh ? prob : 0;
            }
            ++count;
        }
    }
    if (options_.alexeyab)
        correct_boxes_alexeyab(dets, count, w, h, netw, neth, relative, letter);
    else
        correct_boxes(dets, count, w, h, netw, neth, relative);
    return count;
}

}  // namespace dn
