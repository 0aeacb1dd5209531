#include "shortcut_layer.h"

#include <algorithm>
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

std::string ShortcutLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "res  %3d                %4d x%4d x%4d   ->  %4d x%4d x%4d",
                  from_, from_shape_.w, from_shape_.h, from_shape_.c, out.w, out.h, out.c);
    return buf;
}

void ShortcutLayer::forward(const float* input, const Network& net, const ForwardContext&) {
    float* y = mutable_output();
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
