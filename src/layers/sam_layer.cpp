#include "layers/sam_layer.h"

#include <cstdio>

#include "network.h"

namespace dn {

SamLayer::SamLayer(int batch_, Shape input, int from, Activation act) : from_(from), activation_(act) {
    batch = batch_;
    in = input;
    out = input;
}

std::string SamLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "sam  %3d                %4d x%4d x%4d   ->  %4d x%4d x%4d", from_, in.w, in.h,
                  in.c, out.w, out.h, out.c);
    return buf;
}

void SamLayer::forward(const float* input, const Network& net, const ForwardContext& ctx) {
    const float* from = net.layer(from_).output();
    float* y = mutable_output();
    const std::size_t n = std::size_t(batch) * outputs();
#pragma omp parallel for schedule(static) num_threads(ctx.threads) if (n >= 65536)
    for (std::size_t i = 0; i < n; ++i) y[i] = input[i] * from[i];
    activate_array(y, n, activation_);
}

}  // namespace dn
