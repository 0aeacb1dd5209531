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

void AvgpoolLayer::forward(const float* input, const Network&, const ForwardContext&) {
    const int spatial = in.h * in.w;
    float* y = mutable_output();
    const int planes = batch * in.c;
    // Each channel is summed in order in float, as upstream; four channels at a time so the
    // four dependency chains overlap. Serial on purpose: the whole layer is ~0.1 ms, less
    // than what a parallel region costs when the cores are shared with other processes.
    int bc = 0;
    for (; bc + 4 <= planes; bc += 4) {
        const float* s0 = input + std::size_t(bc) * spatial;
        const float *s1 = s0 + spatial, *s2 = s1 + spatial, *s3 = s2 + spatial;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int i = 0; i < spatial; ++i) {
            a0 += s0[i];
            a1 += s1[i];
            a2 += s2[i];
            a3 += s3[i];
        }
        y[bc] = a0 / spatial;
        y[bc + 1] = a1 / spatial;
        y[bc + 2] = a2 / spatial;
        y[bc + 3] = a3 / spatial;
    }
    for (; bc < planes; ++bc) {
        const float* src = input + std::size_t(bc) * spatial;
        float sum = 0;  // float, in order, as upstream
        for (int i = 0; i < spatial; ++i) sum += src[i];
        y[bc] = sum / spatial;
    }
}

}  // namespace dn
