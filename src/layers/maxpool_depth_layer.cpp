#include "layers/maxpool_depth_layer.h"

#include <cfloat>
#include <cstdio>

namespace dn {

MaxpoolDepthLayer::MaxpoolDepthLayer(int batch_, Shape input, int out_channels) {
    batch = batch_;
    in = input;
    out = {out_channels, input.h, input.w};
}

std::string MaxpoolDepthLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "max      depth          %4d x%4d x%4d   ->  %4d x%4d x%4d", in.w, in.h, in.c, out.w,
                  out.h, out.c);
    return buf;
}

void MaxpoolDepthLayer::forward(const float* input, const Network&, const ForwardContext&) {
    float* y = mutable_output();
    const std::size_t spatial = std::size_t(in.h) * in.w;
    for (int b = 0; b < batch; ++b)
        for (int g = 0; g < out.c; ++g) {
            float* dst = y + (std::size_t(b) * out.c + g) * spatial;
            for (std::size_t i = 0; i < spatial; ++i) dst[i] = -FLT_MAX;
            for (int k = g; k < in.c; k += out.c) {
                const float* src = input + (std::size_t(b) * in.c + k) * spatial;
                for (std::size_t i = 0; i < spatial; ++i) dst[i] = src[i] > dst[i] ? src[i] : dst[i];
            }
        }
}

}  // namespace dn
