#include "layers/local_layer.h"

#include <omp.h>

#include <cstdio>

#include "fp_exact.h"  // last: every product and sum rounded, as upstream's gemm_nn

namespace dn {

LocalLayer::LocalLayer(int batch_, Shape input, const LocalParams& p, Activation act) : p_(p), activation_(act) {
    batch = batch_;
    in = input;
    out = {p.filters, local_output_size(input.h, p), local_output_size(input.w, p)};
    biases_.assign(out.size(), 0.f);
    weights_.assign(std::size_t(window()) * out.size(), 0.f);
}

// Upstream prints "Local Layer: h x w x c image, n filters -> out_h x out_w x n image".
std::string LocalLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "Local Layer: %d x %d x %d image, %d filters -> %d x %d x %d image", in.h, in.w, in.c,
                  out.c, out.h, out.w, out.c);
    return buf;
}

std::vector<ParamRef> LocalLayer::params() {
    return {{ParamRef::bias, &biases_, window()}, {ParamRef::weight, &weights_, window()}};
}

namespace {

// The window of output location (oy, ox) in im2col's order (channel, ky, kx), 0 outside.
void gather_window(const float* x, Shape in, const LocalParams& p, int oy, int ox, float* col) {
    for (int c = 0; c < in.c; ++c)
        for (int ky = 0; ky < p.size; ++ky) {
            const int iy = oy * p.stride + ky - p.pad;
            for (int kx = 0; kx < p.size; ++kx) {
                const int ix = ox * p.stride + kx - p.pad;
                const bool inside = iy >= 0 && iy < in.h && ix >= 0 && ix < in.w;
                *col++ = inside ? x[(std::size_t(c) * in.h + iy) * in.w + ix] : 0.f;
            }
        }
}

}  // namespace

void LocalLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    const int locations = out.h * out.w, k = window(), n = out.c;
    float* y = mutable_output();
    const bool parallel = flops() >= 1e6;
    for (int b = 0; b < batch; ++b) {
        const float* x = input + std::size_t(b) * in.size();
        float* yb = y + std::size_t(b) * outputs();
#pragma omp parallel num_threads(ctx.threads) if (parallel)
        {
            std::vector<float> col(k);
#pragma omp for schedule(static)
            for (int j = 0; j < locations; ++j) {
                gather_window(x, in, p_, j / out.w, j % out.w, col.data());
                const float* w = weights_.data() + std::size_t(j) * n * k;
                // Four filters at a time: independent sums, each in upstream's order.
                int f = 0;
                for (; f + 4 <= n; f += 4) {
                    const float *w0 = w + std::size_t(f) * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
                    float s0 = biases_[std::size_t(f) * locations + j], s1 = biases_[std::size_t(f + 1) * locations + j];
                    float s2 = biases_[std::size_t(f + 2) * locations + j], s3 = biases_[std::size_t(f + 3) * locations + j];
                    for (int i = 0; i < k; ++i) {
                        const float v = col[i];
                        s0 += w0[i] * v;
                        s1 += w1[i] * v;
                        s2 += w2[i] * v;
                        s3 += w3[i] * v;
                    }
                    yb[std::size_t(f) * locations + j] = s0;
                    yb[std::size_t(f + 1) * locations + j] = s1;
                    yb[std::size_t(f + 2) * locations + j] = s2;
                    yb[std::size_t(f + 3) * locations + j] = s3;
                }
                for (; f < n; ++f) {
                    const float* wf = w + std::size_t(f) * k;
                    float s = biases_[std::size_t(f) * locations + j];
                    for (int i = 0; i < k; ++i) s += wf[i] * col[i];
                    yb[std::size_t(f) * locations + j] = s;
                }
            }
        }
    }
    activate_array(y, std::size_t(batch) * outputs(), activation_);
}

}  // namespace dn
