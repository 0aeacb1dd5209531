#include "maxpool_layer.h"

#include <algorithm>
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

namespace {

// One output row of one plane. Every output is upstream's
//     best = -FLT_MAX; for n, for m (window cells inside the input): best = v > best ? v : best
// with the cells visited in that (row, column) order, so NaNs are skipped and the first of
// equal values (+0 / -0) wins exactly as upstream. Only the loop nest differs: each window row
// is one pass over the output row, so the inner loop runs along j and vectorises (the
// comparison compiles to maxps, whose operand order is this ternary's). SIZE and STRIDE are
// compile-time for the common windows (0: take size/stride at run time).
template <int SIZE, int STRIDE>
void maxpool_row(const float* src, int h, int w, int i, int offset, int size_rt, int stride_rt,
                 float* dst, int out_w) {
    const int size = SIZE ? SIZE : size_rt, stride = STRIDE ? STRIDE : stride_rt;
    const int y0 = offset + i * stride;
    const int n_lo = std::max(0, -y0), n_hi = std::min(size, h - y0);
    // Columns whose whole window lies inside the input: offset + j*stride >= 0 and
    // offset + j*stride + size <= w.
    const int j_lo = std::min(out_w, offset >= 0 ? 0 : (-offset + stride - 1) / stride);
    const int j_hi = std::max(j_lo, std::min(out_w, w - size - offset >= 0 ? (w - size - offset) / stride + 1 : 0));
    for (int j = 0; j < out_w; ++j) dst[j] = -FLT_MAX;
    for (int n = n_lo; n < n_hi; ++n) {
        const float* row = src + std::size_t(y0 + n) * w;
        auto edge = [&](int j) {
            float best = dst[j];
            for (int m = 0; m < size; ++m) {
                const int xx = offset + j * stride + m;
                if (xx < 0 || xx >= w) continue;
                best = row[xx] > best ? row[xx] : best;
            }
            dst[j] = best;
        };
        for (int j = 0; j < j_lo; ++j) edge(j);
        const float* r = row + offset;
        for (int j = j_lo; j < j_hi; ++j) {
            float best = dst[j];
            for (int m = 0; m < size; ++m) {
                const float v = r[j * stride + m];
                best = v > best ? v : best;
            }
            dst[j] = best;
        }
        for (int j = j_hi; j < out_w; ++j) edge(j);
    }
}

using RowFn = void (*)(const float*, int, int, int, int, int, int, float*, int);

RowFn pick_row(int size, int stride) {
    if (size == 2 && stride == 2) return maxpool_row<2, 2>;
    if (size == 2 && stride == 1) return maxpool_row<2, 1>;
    if (size == 3 && stride == 1) return maxpool_row<3, 1>;
    if (size == 3 && stride == 2) return maxpool_row<3, 2>;
    if (size == 5 && stride == 1) return maxpool_row<5, 1>;
    return maxpool_row<0, 0>;
}

}  // namespace

void MaxpoolLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    const int offset = -padding_ / 2;
    float* y = mutable_output();
    const int planes = batch * in.c;
    const RowFn row = pick_row(size_, stride_);
    // Planes are independent: the result does not depend on the thread count.
#pragma omp parallel for num_threads(ctx.threads) schedule(static) if (std::size_t(planes) * out.h * out.w >= 16384)
    for (int bc = 0; bc < planes; ++bc) {
        const float* src = input + std::size_t(bc) * in.h * in.w;
        float* dst = y + std::size_t(bc) * out.h * out.w;
        for (int i = 0; i < out.h; ++i) row(src, in.h, in.w, i, offset, size_, stride_, dst + std::size_t(i) * out.w, out.w);
    }
}

}  // namespace dn
