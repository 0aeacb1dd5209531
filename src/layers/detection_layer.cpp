#include "layers/detection_layer.h"

#include <cmath>
#include <cstring>

#include "detection.h"
#include "layers/softmax_layer.h"

#include "fp_exact.h"  // last: box arithmetic rounds as upstream's

namespace dn {

DetectionLayer::DetectionLayer(int batch_, Shape input, const DetectionOptions& opt) : opt_(opt) {
    batch = batch_;
    in = input;
    out = input;
}

void DetectionLayer::forward(const float* input, const Network&, const ForwardContext&) {
    float* y = mutable_output();
    std::memcpy(y, input, std::size_t(batch) * outputs() * sizeof(float));
    if (!opt_.softmax) return;
    const int cells = opt_.side * opt_.side;
    for (int b = 0; b < batch; ++b)
        for (int i = 0; i < cells; ++i) {
            const std::size_t at = std::size_t(b) * outputs() + std::size_t(i) * opt_.classes;
            softmax(input + at, opt_.classes, 1.f, 1, y + at);
        }
}

void DetectionLayer::get_detections(int w, int h, float thresh, Detection* dets) const {
    const float* p = output();
    const int side = opt_.side, cells = side * side;
    // Upstream raises to the power 2 or 1 in double, then multiplies by the int size.
    const double power = opt_.sqrt ? 2 : 1;
    for (int i = 0; i < cells; ++i) {
        const int row = i / side, col = i % side;
        for (int n = 0; n < opt_.num; ++n) {
            const int k = i * opt_.num + n;
            const float scale = p[std::size_t(cells) * opt_.classes + k];
            const float* box = p + std::size_t(cells) * (opt_.classes + opt_.num) + std::size_t(k) * 4;
            Detection& d = dets[k];
            d.bbox.x = (box[0] + col) / side * w;
            d.bbox.y = (box[1] + row) / side * h;
            d.bbox.w = static_cast<float>(std::pow(double(box[2]), power) * w);
            d.bbox.h = static_cast<float>(std::pow(double(box[3]), power) * h);
            d.objectness = scale;
            for (int j = 0; j < opt_.classes; ++j) {
                const float prob = scale * p[std::size_t(i) * opt_.classes + j];
                d.prob[j] = prob > thresh ? prob : 0;
            }
        }
    }
}

}  // namespace dn
