#include "layers/reorg_layer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

namespace dn {

namespace {

// Upstream's flatten: per image, size x layers (CHW) to layers-interleaved (HWC) when
// forward, and back otherwise.
void flatten(float* x, int size, int layers, int batch, bool forward) {
    std::vector<float> swap(std::size_t(size) * layers * batch);
    for (int b = 0; b < batch; ++b)
        for (int c = 0; c < layers; ++c)
            for (int i = 0; i < size; ++i) {
                const std::size_t i1 = std::size_t(b) * layers * size + std::size_t(c) * size + i;
                const std::size_t i2 = std::size_t(b) * layers * size + std::size_t(i) * layers + c;
                if (forward)
                    swap[i2] = x[i1];
                else
                    swap[i1] = x[i2];
            }
    std::copy(swap.begin(), swap.end(), x);
}

}  // namespace

void reorg(const float* x, int w, int h, int c, int batch, int stride, bool forward, float* out) {
    const int out_c = c / (stride * stride);
    for (int b = 0; b < batch; ++b)
        for (int k = 0; k < c; ++k)
            for (int j = 0; j < h; ++j)
                for (int i = 0; i < w; ++i) {
                    const std::size_t in_index = i + std::size_t(w) * (j + std::size_t(h) * (k + std::size_t(c) * b));
                    const int c2 = k % out_c;
                    const int offset = k / out_c;
                    const int w2 = i * stride + offset % stride;
                    const int h2 = j * stride + offset / stride;
                    const std::size_t out_index =
                        w2 + std::size_t(w) * stride * (h2 + std::size_t(h) * stride * (c2 + std::size_t(out_c) * b));
                    if (forward)
                        out[out_index] = x[in_index];
                    else
                        out[in_index] = x[out_index];
                }
}

ReorgLayer::ReorgLayer(int batch_, Shape input, const ReorgOptions& opt) : opt_(opt) {
    batch = batch_;
    in = input;
    const int s = opt.stride;
    if (opt.extra)
        out = {static_cast<int>(input.size()) + opt.extra, 1, 1};
    else if (opt.reverse)
        out = {input.c / (s * s), input.h * s, input.w * s};
    else
        out = {input.c * s * s, input.h / s, input.w / s};
}

std::string ReorgLayer::describe() const {
    char buf[160];
    if (opt_.extra)
        std::snprintf(buf, sizeof buf, "reorg              %4zu   ->  %4zu", in.size(), out.size());
    else
        std::snprintf(buf, sizeof buf, "reorg              /%2d  %4d x%4d x%4d   ->  %4d x%4d x%4d",
                      opt_.stride, in.w, in.h, in.c, out.w, out.h, out.c);
    return buf;
}

void ReorgLayer::forward(const float* input, const Network&, const ForwardContext&) {
    float* y = mutable_output();
    if (opt_.flatten) {
        // Per image: its in.size() values, flattened; with `extra` the output is longer and
        // its tail stays zero (upstream copies outputs() values, reading past its input).
        for (int b = 0; b < batch; ++b) {
            float* yb = y + std::size_t(b) * outputs();
            std::memcpy(yb, input + std::size_t(b) * in.size(), in.size() * sizeof(float));
            flatten(yb, in.w * in.h, in.c, 1, !opt_.reverse);
        }
    } else if (opt_.extra) {
        for (int b = 0; b < batch; ++b)
            std::memcpy(y + b * outputs(), input + b * in.size(), in.size() * sizeof(float));
    } else {
        // Upstream's quirk: the non-reverse layer runs reorg_cpu backwards, and vice versa.
        reorg(input, in.w, in.h, in.c, batch, opt_.stride, opt_.reverse, y);
    }
}

}  // namespace dn
