#include "layers/upsample_layer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "fp_exact.h"  // last: the downsample sums of scale * x round like upstream (no FMA)

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

void UpsampleLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    float* y = mutable_output();
    // Small side (w x h) and big side (w*stride x h*stride), as upstream's upsample_cpu.
    const Shape small = reverse_ ? out : in;
    const int s = stride_, w = small.w, h = small.h;
    const int planes = batch * small.c;
    if (!reverse_) {
        // Nearest neighbour: big(j, i) = scale * small(j/s, i/s). Every output is written, so
        // no clearing first; each big row is built once and copied to its s-1 twins.
#pragma omp parallel for schedule(static) num_threads(ctx.threads) if (std::size_t(planes) * w * h * s * s >= (std::size_t(1) << 20))
        for (int p = 0; p < planes; ++p) {
            const float* src = input + std::size_t(p) * w * h;
            float* dst = y + std::size_t(p) * w * h * s * s;
            for (int j = 0; j < h; ++j) {
                float* row = dst + std::size_t(j) * s * w * s;
                for (int i = 0; i < w; ++i) {
                    const float v = scale_ * src[std::size_t(j) * w + i];
                    for (int k = 0; k < s; ++k) row[i * s + k] = v;
                }
                for (int k = 1; k < s; ++k) std::memcpy(row + std::size_t(k) * w * s, row, sizeof(float) * w * s);
            }
        }
        return;
    }
    // Downsample: each small cell sums scale * big cells in upstream's order (big rows, then
    // columns, from 0).
    std::fill(y, y + std::size_t(batch) * outputs(), 0.f);
    for (int p = 0; p < planes; ++p)
        for (int j = 0; j < h * s; ++j)
            for (int i = 0; i < w * s; ++i)
                y[std::size_t(p) * w * h + std::size_t(j / s) * w + i / s] +=
                    scale_ * input[std::size_t(p) * w * h * s * s + std::size_t(j) * w * s + i];
}

}  // namespace dn
