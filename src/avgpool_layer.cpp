#include "avgpool_layer.h"

#include <cstdio>

namespace dn {

AvgpoolLayer::AvgpoolLayer(int batch_, Shape input) {
    batch = batch_;
    in = input;
    out = {input.c, 1, 1};
}

std::string AvgpoolLayer::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "avg                     %4d x%4d x%4d   ->  %4d", in.w, in.h,
                  in.c, out.c);
    return buf;
}

void AvgpoolLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    const int spatial = in.h * in.w;
    float* y = mutable_output();
    // One channel per iteration, summed in order: the same result for any thread count.
#pragma omp parallel for schedule(static) num_threads(ctx.threads) if (std::size_t(batch) * in.c * spatial >= 65536)
    for (int bc = 0; bc < batch * in.c; ++bc) {
        const float* src = input + std::size_t(bc) * spatial;
        float sum = 0;  // float, in order, as upstream
        for (int i = 0; i < spatial; ++i) sum += src[i];
        y[bc] = sum / spatial;
    }
}

}  // namespace dn
