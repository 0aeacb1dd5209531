#include "maxpool_layer.h"

#include <cfloat>
#include <cstdio>

namespace dn {

MaxpoolLayer::MaxpoolLayer(int batch_, Shape input, int size, int stride, int padding)
    : size_(size), stride_(stride), padding_(padding) {
    batch = batch_;
    in = input;
    out = {input.c, (input.h + padding - size) / stride + 1, (input.w + padding - size) / stride + 1};
}

std::string MaxpoolLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "max          %d x %d / %d  %4d x%4d x%4d   ->  %4d x%4d x%4d",
                  size_, size_, stride_, in.w, in.h, in.c, out.w, out.h, out.c);
    return buf;
}

void MaxpoolLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    const int offset = -padding_ / 2;
    float* y = mutable_output();
    const int planes = batch * in.c;
#pragma omp parallel for num_threads(ctx.threads) schedule(static)
    for (int bc = 0; bc < planes; ++bc) {
        const float* src = input + std::size_t(bc) * in.h * in.w;
        float* dst = y + std::size_t(bc) * out.h * out.w;
        for (int i = 0; i < out.h; ++i) {
            for (int j = 0; j < out.w; ++j) {
                float best = -FLT_MAX;
                for (int n = 0; n < size_; ++n) {
                    const int yy = offset + i * stride_ + n;
                    if (yy < 0 || yy >= in.h) continue;
                    for (int m = 0; m < size_; ++m) {
                        const int xx = offset + j * stride_ + m;
                        if (xx < 0 || xx >= in.w) continue;
                        const float v = src[yy * in.w + xx];
                        best = v > best ? v : best;
                    }
                }
                dst[i * out.w + j] = best;
            }
        }
    }
}

}  // namespace dn
