#include "layers/gaussian_yolo_layer.h"

#include <cmath>
#include <cstring>

#include "detection.h"

#include "fp_exact.h"  // last: no FMA contraction below, as AlexeyAB's build rounds

namespace dn {

namespace {

// AlexeyAB's logistic_activate: float arithmetic and expf.
void logistic(float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = 1.f / (1.f + std::exp(-x[i]));
}

}  // namespace

GaussianYoloLayer::GaussianYoloLayer(int batch_, Shape input, int classes, std::vector<int> mask,
                                     std::vector<float> biases, const YoloOptions& options, YoloPoint point)
    : YoloLayer(batch_, input, classes, std::move(mask), std::move(biases), options), point_(point) {
    options_.alexeyab = true;
    options_.new_coords = false;
}

std::size_t GaussianYoloLayer::entry(int b, int location, int e) const {
    const int wh = out.w * out.h;
    const int n = location / wh, loc = location % wh;
    return std::size_t(b) * outputs() + std::size_t(n) * wh * (8 + classes_ + 1) + std::size_t(e) * wh + loc;
}

void GaussianYoloLayer::forward(const float* input, const Network&, const ForwardContext&) {
    float* y = mutable_output();
    std::memcpy(y, input, std::size_t(batch) * outputs() * sizeof(float));
    const std::size_t wh = std::size_t(out.w) * out.h;
    // AlexeyAB's scal_add_cpu: x * ALPHA + BETA in float, BETA rounded from double.
    const float alpha = options_.scale_x_y, beta = static_cast<float>(-0.5 * (options_.scale_x_y - 1));
    auto scale = [&](float* x) {
        for (std::size_t i = 0; i < wh; ++i) x[i] = x[i] * alpha + beta;
    };
    for (int b = 0; b < batch; ++b)
        for (int n = 0; n < anchors(); ++n) {
            const int at = n * out.w * out.h;
            logistic(y + entry(b, at, 0), 2 * wh);  // x and sigma_x
            scale(y + entry(b, at, 0));
            logistic(y + entry(b, at, 2), 2 * wh);  // y and sigma_y
            scale(y + entry(b, at, 2));
            logistic(y + entry(b, at, 5), wh);  // sigma_w
            logistic(y + entry(b, at, 7), wh);  // sigma_h
            logistic(y + entry(b, at, 8), (1 + std::size_t(classes_)) * wh);  // objectness, classes
        }
}

int GaussianYoloLayer::num_detections(float thresh) const {
    const int wh = out.w * out.h;
    int count = 0;
    for (int i = 0; i < wh; ++i)
        for (int n = 0; n < anchors(); ++n)
            if (output()[entry(0, n * wh + i, 8)] > thresh) ++count;
    return count;
}

int GaussianYoloLayer::get_detections(int w, int h, int netw, int neth, float thresh, bool relative,
                                      Detection* dets, bool letter) const {
    const float* p = output();
    const int wh = out.w * out.h;
    int count = 0;
    for (int i = 0; i < wh; ++i) {
        const int row = i / out.w, col = i % out.w;
        for (int n = 0; n < anchors(); ++n) {
            const int at = n * wh + i;
            const float objectness = p[entry(0, at, 8)];
            if (!(objectness > thresh)) continue;
            const int a = mask_[n];
            Detection& d = dets[count];
            // AlexeyAB's get_gaussian_yolo_box: w, h through double exp; x, y in float.
            Box& bb = d.bbox;
            bb.w = static_cast<float>(std::exp(double(p[entry(0, at, 4)])) * biases_[2 * a] / netw);
            bb.h = static_cast<float>(std::exp(double(p[entry(0, at, 6)])) * biases_[2 * a + 1] / neth);
            bb.x = (col + p[entry(0, at, 0)]) / out.w;
            bb.y = (row + p[entry(0, at, 2)]) / out.h;
            if (point_ == YoloPoint::left_top) {
                bb.x = bb.x + bb.w / 2;
                bb.y = bb.y + bb.h / 2;
            } else if (point_ == YoloPoint::right_bottom) {
                bb.x = bb.x - bb.w / 2;
                bb.y = bb.y - bb.h / 2;
            }
            d.objectness = objectness;
            // The four sigmas' mean: a float sum, divided in double and rounded to float.
            const float sum = p[entry(0, at, 1)] + p[entry(0, at, 3)] + p[entry(0, at, 5)] + p[entry(0, at, 7)];
            const float uc_aver = static_cast<float>(sum / 4.0);
            for (int j = 0; j < classes_; ++j) {
                const float prob = static_cast<float>(double(objectness * p[entry(0, at, 9 + j)]) * (1.0 - uc_aver));
                d.prob[j] = prob > thresh ? prob : 0;
            }
            ++count;
        }
    }
    // correct_gaussian_yolo_boxes: pjreddie's correction when letterboxed; when stretched it
    // divides by 1 and adds 0, as correct_boxes_alexeyab does.
    if (letter)
        correct_boxes(dets, count, w, h, netw, neth, relative);
    else
        correct_boxes_alexeyab(dets, count, w, h, netw, neth, relative, false);
    return count;
}

}  // namespace dn
