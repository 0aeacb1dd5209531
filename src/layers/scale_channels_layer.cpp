#include "layers/scale_channels_layer.h"

#include <cstdio>

#include "network.h"

namespace dn {

ScaleChannelsLayer::ScaleChannelsLayer(int batch_, Shape input, int from, Shape from_shape, bool scale_wh,
                                       Activation act)
    : from_(from), scale_wh_(scale_wh), activation_(act) {
    batch = batch_;
    in = input;
    out = from_shape;
}

std::string ScaleChannelsLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "scale_channels %3d%s    %4d x%4d x%4d   ->  %4d x%4d x%4d", from_,
                  scale_wh_ ? " wh" : "   ", in.w, in.h, in.c, out.w, out.h, out.c);
    return buf;
}

void ScaleChannelsLayer::forward(const float* input, const Network& net, const ForwardContext& ctx) {
    const float* from = net.layer(from_).output();
    float* y = mutable_output();
    const int spatial = out.h * out.w;
    const int planes = batch * out.c;
#pragma omp parallel for schedule(static) num_threads(ctx.threads) if (std::size_t(planes) * spatial >= 65536)
    for (int p = 0; p < planes; ++p) {
        const float* f = from + std::size_t(p) * spatial;
        float* o = y + std::size_t(p) * spatial;
        if (scale_wh_) {
            const float* s = input + std::size_t(p / out.c) * spatial;  // this image's 1 x h x w
            for (int i = 0; i < spatial; ++i) o[i] = s[i] * f[i];
        } else {
            const float s = input[p];  // channel p % c of image p / c
            for (int i = 0; i < spatial; ++i) o[i] = s * f[i];
        }
    }
    activate_array(y, std::size_t(batch) * outputs(), activation_);
}

}  // namespace dn
