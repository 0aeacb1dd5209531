#include "layers/shortcut_layer.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "network.h"
#include "fp_exact.h"  // last: alpha*y + beta*add rounds like upstream (no FMA)

namespace dn {

ShortcutLayer::ShortcutLayer(int batch_, Shape input, int from, Shape from_shape, Activation act,
                             float alpha, float beta)
    : from_(from), from_shape_(from_shape), activation_(act), alpha_(alpha), beta_(beta) {
    batch = batch_;
    in = input;
    out = input;
}

ShortcutLayer::ShortcutLayer(int batch_, Shape input, std::vector<int> froms, std::vector<Shape> from_shapes,
                             Activation act, WeightsType type, Normalization norm)
    : multilayer_(true), froms_(std::move(froms)), from_shapes_(std::move(from_shapes)), weights_type_(type),
      normalization_(norm), from_(froms_[0]), from_shape_(from_shapes_[0]), activation_(act), alpha_(1), beta_(1) {
    batch = batch_;
    in = input;
    out = input;
    const std::size_t n = froms_.size() + 1;
    if (type == WeightsType::per_feature) weights_.assign(n, 1.f);
    if (type == WeightsType::per_channel) weights_.assign(n * input.c, 1.f);
}

std::vector<ParamRef> ShortcutLayer::params() {
    if (weights_.empty()) return {};
    // Seeded as batch-norm scales (near 1, as AlexeyAB initialises them to 1).
    return {{ParamRef::bn_scale, &weights_, static_cast<int>(froms_.size() + 1)}};
}

void ShortcutLayer::weights_ready() {
    normalized_ = weights_;
    if (weights_.empty() || normalization_ == Normalization::none) return;
    const int inputs = static_cast<int>(froms_.size()) + 1;
    const int step = static_cast<int>(weights_.size()) / inputs;  // 1 or channels
    for (int c = 0; c < step; ++c) {
        float max_val = -FLT_MAX;
        if (normalization_ == Normalization::softmax)
            for (int i = 0; i < inputs; ++i) max_val = std::max(max_val, weights_[c + i * step]);
        float sum = .0001f;
        for (int i = 0; i < inputs; ++i) {
            const float w = weights_[c + i * step];
            sum += normalization_ == Normalization::relu ? (w > .001f ? w : .001f) : std::exp(w - max_val);
        }
        for (int i = 0; i < inputs; ++i) {
            const float w = weights_[c + i * step];
            normalized_[c + i * step] = (normalization_ == Normalization::relu ? (w > .001f ? w : .001f) : std::exp(w - max_val)) / sum;
        }
    }
}

std::string ShortcutLayer::describe() const {
    char buf[160];
    if (multilayer_) {
        std::string from;
        for (const int f : froms_) from += (from.empty() ? "" : ",") + std::to_string(f);
        static const char* const kTypes[] = {"", " per_feature", " per_channel"};
        static const char* const kNorms[] = {"", " relu", " softmax"};
        std::snprintf(buf, sizeof buf, "res  %-18s %4d x%4d x%4d%s%s", from.c_str(), out.w, out.h, out.c,
                      kTypes[int(weights_type_)], kNorms[int(normalization_)]);
        return buf;
    }
    std::snprintf(buf, sizeof buf, "res  %3d                %4d x%4d x%4d   ->  %4d x%4d x%4d",
                  from_, from_shape_.w, from_shape_.h, from_shape_.c, out.w, out.h, out.c);
    return buf;
}

void ShortcutLayer::forward_multilayer(const float* input, const Network& net, float* y) const {
    const std::size_t outs = outputs(), spatial = std::size_t(out.w) * out.h;
    const bool weighted = !normalized_.empty();
    const std::size_t step = weights_type_ == WeightsType::per_channel ? std::size_t(out.c) : 1;
    for (int b = 0; b < batch; ++b) {
        float* yb = y + b * outs;
        const float* xb = input + b * outs;
        for (std::size_t i = 0; i < outs; ++i) {
            const std::size_t wi = step == 1 ? 0 : i / spatial;
            yb[i] = weighted ? xb[i] * normalized_[wi] : xb[i];
        }
        for (std::size_t k = 0; k < froms_.size(); ++k) {
            const std::size_t n = std::min(outs, from_shapes_[k].size());
            const float* add = net.layer(froms_[k]).output() + b * from_shapes_[k].size();
            if (!weighted) {
                for (std::size_t i = 0; i < n; ++i) yb[i] += add[i];
                continue;
            }
            const float* w = normalized_.data() + (k + 1) * step;
            for (std::size_t i = 0; i < n; ++i) yb[i] += add[i] * w[step == 1 ? 0 : i / spatial];
        }
    }
}

void ShortcutLayer::forward(const float* input, const Network& net, const ForwardContext&) {
    float* y = mutable_output();
    if (multilayer_) {
        forward_multilayer(input, net, y);
        activate_array(y, std::size_t(batch) * outputs(), activation_);
        return;
    }
    std::memcpy(y, input, std::size_t(batch) * outputs() * sizeof(float));
    const float* add = net.layer(from_).output();
    const Shape a = from_shape_, o = out;
    const int stride = std::max(1, a.w / o.w), sample = std::max(1, o.w / a.w);
    const int minw = std::min(a.w, o.w), minh = std::min(a.h, o.h), minc = std::min(a.c, o.c);
    for (int b = 0; b < batch; ++b)
        for (int k = 0; k < minc; ++k)
            for (int j = 0; j < minh; ++j)
                for (int i = 0; i < minw; ++i) {
                    const std::size_t oi = i * sample + std::size_t(o.w) * (j * sample + o.h * (k + std::size_t(o.c) * b));
                    const std::size_t ai = i * stride + std::size_t(a.w) * (j * stride + a.h * (k + std::size_t(a.c) * b));
                    y[oi] = alpha_ * y[oi] + beta_ * add[ai];
                }
    activate_array(y, std::size_t(batch) * outputs(), activation_);
}

}  // namespace dn
