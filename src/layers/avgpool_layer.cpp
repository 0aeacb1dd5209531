#include "layers/avgpool_layer.h"

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

void AvgpoolLayer::forward(const float* input, const Network&, const ForwardContext&) {
    const int spatial = in.h * in.w;
    float* y = mutable_output();
    const int planes = batch * in.c;
    // Each channel is summed in order in float, as upstream; eight channels at a time so the
    // eight dependency chains keep both adders busy. Serial on purpose: the whole layer is
    // ~0.05 ms, less than what a parallel region costs when the cores are shared with other
    // processes.
    constexpr int kChains = 8;
    int bc = 0;
    for (; bc + kChains <= planes; bc += kChains) {
        const float* s = input + std::size_t(bc) * spatial;
        float a[kChains] = {};
        for (int i = 0; i < spatial; ++i)
            for (int j = 0; j < kChains; ++j) a[j] += s[std::size_t(j) * spatial + i];
        for (int j = 0; j < kChains; ++j) y[bc + j] = a[j] / spatial;
    }
    for (; bc < planes; ++bc) {
        const float* src = input + std::size_t(bc) * spatial;
        float sum = 0;  // float, in order, as upstream
        for (int i = 0; i < spatial; ++i) sum += src[i];
        y[bc] = sum / spatial;
    }
}

}  // namespace dn
