#include "yolo_layer.h"

#include <omp.h>

#include <cmath>
#include <cstring>

#include "activations.h"
#include "detection.h"

#include "fp_exact.h"  // last: no FMA contraction below, as upstream rounds

namespace dn {

YoloLayer::YoloLayer(int batch_, Shape input, int classes, std::vector<int> mask,
                     std::vector<float> biases)
    : classes_(classes), mask_(std::move(mask)), biases_(std::move(biases)) {
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
        auto slice = [&](float* x, std::size_t n) {
            const std::size_t lo = n * t / nt, hi = n * (t + 1) / nt;
            activate_array(x + lo, hi - lo, Activation::logistic);
        };
        for (int b = 0; b < batch; ++b)
            for (int n = 0; n < anchors; ++n) {
                slice(y + entry_index(b, n * wh, 0), std::size_t(2) * wh);
                slice(y + entry_index(b, n * wh, 4), std::size_t(1 + classes_) * wh);
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
                              Detection* dets) const {
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
            d.bbox.w = static_cast<float>(std::exp(double(p[bi + 2 * wh])) * biases_[2 * a] / netw);
            d.bbox.h = static_cast<float>(std::exp(double(p[bi + 3 * wh])) * biases_[2 * a + 1] / neth);
            d.objectness = objectness;
            for (int j = 0; j < classes_; ++j) {
                const float prob = objectness * p[entry_index(0, n * wh + i, 5 + j)];
                d.prob[j] = prob > thresh ? prob : 0;
            }
            ++count;
        }
    }
    correct_boxes(dets, count, w, h, netw, neth, relative);
    return count;
}

}  // namespace dn
