// im2col + GEMM, Darknet's method: per image and group, unfold the NCHW input into a
// (c/groups*k*k) x (out_h*out_w) workspace matrix (row = (ci,ky,kx), column = output pixel),
// then out[f/groups x out_h*out_w] = W[f/groups x c/groups*k*k] * col with row-major sgemm
// (in fixed tiles dealt out to threads: conv_gemm.h).
// 1x1 stride-1 pad-0 convolutions skip the unfold and multiply the input in place. Handles
// groups and dilation; wins on wide layers, loses on depthwise (one GEMM row per group).
#include <cblas.h>

#include <climits>
#include <cstring>

#include "conv_backend.h"
#include "conv_gemm.h"
#include "conv_index.h"

namespace dn {
namespace {

// The input of one group already is the col matrix.
bool im2col_is_identity(const ConvParams& p) {
    return p.ksize == 1 && p.stride == 1 && p.pad == 0 && p.dilation == 1;
}

bool im2col_supports(const ConvParams& p, const char** why_not) {
    if (p.out_h < 1 || p.out_w < 1) {
        *why_not = "output size unset (ConvParams::finish() not called or failed)";
        return false;
    }
    // cblas takes int sizes and leading dimensions.
    if (std::size_t(p.in_per_group()) * p.ksize * p.ksize > INT_MAX ||
        std::size_t(p.out_h) * p.out_w > INT_MAX) {
        *why_not = "GEMM dimension exceeds INT_MAX";
        return false;
    }
    return true;
}

std::size_t im2col_workspace_bytes(const ConvParams& p) {
    if (im2col_is_identity(p)) return 0;
    return sizeof(float) * p.in_per_group() * p.ksize * p.ksize * p.out_h * p.out_w;
}

// Fills the col matrix of one group. Row (ci, ky, kx) holds, for each output pixel, the
// input value under that tap; the output columns that tap sees inside the input are computed
// per row, so each output row is a zero run, a strided copy and a zero run.
void im2col(const ConvParams& p, const float* in_group, float* col, int threads) {
    const int k = p.ksize, s = p.stride, d = p.dilation;
    const int rows = p.in_per_group() * k * k;
    const std::size_t plane = std::size_t(p.h) * p.w;
    const std::size_t pixels = std::size_t(p.out_h) * p.out_w;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int r = 0; r < rows; ++r) {
        const int kx = r % k, ky = r / k % k, ci = r / (k * k);
        const int ix0 = kx * d - p.pad, iy0 = ky * d - p.pad;
        const IndexRange ox = inside_range(ix0, s, p.out_w, p.w);
        const IndexRange oy = inside_range(iy0, s, p.out_h, p.h);
        const float* src = in_group + ci * plane;
        float* dst = col + r * pixels;
        for (int y = 0; y < p.out_h; ++y, dst += p.out_w) {
            if (y < oy.lo || y >= oy.hi) {
                std::memset(dst, 0, sizeof(float) * p.out_w);
                continue;
            }
            const float* src_row = src + std::size_t(iy0 + y * s) * p.w;
            for (int x = 0; x < ox.lo; ++x) dst[x] = 0.0f;
            for (int x = ox.lo; x < ox.hi; ++x) dst[x] = src_row[ix0 + x * s];
            for (int x = ox.hi; x < p.out_w; ++x) dst[x] = 0.0f;
        }
    }
}

void im2col_forward(const ConvParams& p, const ConvPlan*, const float* in, const float* weights,
                    float* out, float* workspace, const ConvContext& ctx) {
    const int m = p.out_per_group(), n = p.out_h * p.out_w;
    const int kdim = p.in_per_group() * p.ksize * p.ksize;
    const std::size_t plane = std::size_t(p.h) * p.w;
    const bool identity = im2col_is_identity(p);
    for (int b = 0; b < p.batch; ++b) {
        for (int g = 0; g < p.groups; ++g) {
            const float* in_group = in + (std::size_t(b) * p.c + g * p.in_per_group()) * plane;
            const float* col = in_group;
            if (!identity) {
                im2col(p, in_group, workspace, ctx.threads);
                col = workspace;
            }
            const float* w_group = weights + std::size_t(g) * m * kdim;
            float* out_group = out + (std::size_t(b) * p.filters + g * m) * n;
            gemm_by_columns(m, n, kdim, w_group, kdim, col, n, false, out_group, n, ctx.threads);
        }
    }
}

}  // namespace

extern const ConvBackend conv_im2col_gemm = {
    // name
    "im2col",
    // description
    "im2col unfold + BLAS sgemm (Darknet's method); good on wide layers, 1x1 needs no unfold",
    // supports: all geometries whose GEMM sizes fit cblas' int
    im2col_supports,
    // workspace_bytes: one group's col matrix, none for 1x1 stride 1
    im2col_workspace_bytes,
    // prepare: weights are already the row-major A operand, no plan
    nullptr,
    // forward
    im2col_forward,
    // uses_blas
    true,
    // fuses_epilogue
    false,
    // preferred
    nullptr
};

}  // namespace dn
