#include "upsample_layer.h"

#include <algorithm>
#include <cstdio>

namespace dn {

UpsampleLayer::UpsampleLayer(int batch_, Shape input, int stride, float scale)
    : stride_(stride < 0 ? -stride : stride), reverse_(stride < 0), scale_(scale) {
    batch = batch_;
    in = input;
    out = reverse_ ? Shape{input.c, input.h / stride_, input.w / stride_}
                   : Shape{input.c, input.h * stride_, input.w * stride_};
}

std::string UpsampleLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-10s         %2dx  %4d x%4d x%4d   ->  %4d x%4d x%4d",
                  reverse_ ? "downsample" : "upsample", stride_, in.w, in.h, in.c, out.w,
                  out.h, out.c);
    return buf;
}

void UpsampleLayer::forward(const float* input, const Network&, const ForwardContext&) {
    float* y = mutable_output();
    std::fill(output_.begin(), output_.end(), 0.f);
    // Small side (w x h) and big side (w*stride x h*stride), as upstream's upsample_cpu.
    const Shape small = reverse_ ? out : in;
    const int s = stride_, w = small.w, h = small.h;
    for (int b = 0; b < batch; ++b)
        for (int k = 0; k < small.c; ++k)
            for (int j = 0; j < h * s; ++j)
                for (int i = 0; i < w * s; ++i) {
                    const std::size_t si = std::size_t(b) * w * h * small.c + std::size_t(k) * w * h +
                                           std::size_t(j / s) * w + i / s;
                    const std::size_t bi = std::size_t(b) * w * h * small.c * s * s +
                                           std::size_t(k) * w * h * s * s + std::size_t(j) * w * s + i;
                    if (reverse_)
                        y[si] += scale_ * input[bi];
                    else
                        y[bi] = scale_ * input[si];
                }
}

}  // namespace dn
