// im2row + GEMM: per image and group, unfold the NCHW input into an (out_h*out_w) x
// (c/groups*k*k) workspace matrix, one receptive field per row in (ci,ky,kx) order, the
// order of the weights [f][c/groups][k][k], so they are used as they are. sgemm with the row
// matrix transposed, out = W * rows^T, lands directly in [filters][out_h*out_w] (in
// fixed tiles dealt out to threads: conv_gemm.h).
// Handles groups and dilation; always unfolds (1x1 too), loses on depthwise like im2col.
#include <cblas.h>

#include <climits>

#include "conv_backend.h"
#include "conv_gemm.h"
#include "conv_index.h"

namespace dn {
namespace {

bool im2row_supports(const ConvParams& p, const char** why_not) {
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

std::size_t im2row_workspace_bytes(const ConvParams& p) {
    return sizeof(float) * p.out_h * p.out_w * p.in_per_group() * p.ksize * p.ksize;
}

// Fills the row matrix of one group: row (oy, ox) is the receptive field of that output
// pixel. The taps inside the input are computed once per pixel, so each kernel row is a
// zero run, a strided copy and a zero run.
void im2row(const ConvParams& p, const float* in_group, float* rows, int threads) {
    const int k = p.ksize, d = p.dilation;
    const int pixels = p.out_h * p.out_w;
    const std::size_t plane = std::size_t(p.h) * p.w;
    const std::size_t row_len = std::size_t(p.in_per_group()) * k * k;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int pix = 0; pix < pixels; ++pix) {
        const int iy0 = pix / p.out_w * p.stride - p.pad;
        const int ix0 = pix % p.out_w * p.stride - p.pad;
        const IndexRange ky = inside_range(iy0, d, k, p.h);
        const IndexRange kx = inside_range(ix0, d, k, p.w);
        float* dst = rows + pix * row_len;
        for (int ci = 0; ci < p.in_per_group(); ++ci) {
            const float* src = in_group + ci * plane;
            for (int y = 0; y < k; ++y, dst += k) {
                if (y < ky.lo || y >= ky.hi) {
                    for (int x = 0; x < k; ++x) dst[x] = 0.0f;
                    continue;
                }
                const float* src_row = src + std::size_t(iy0 + y * d) * p.w;
                for (int x = 0; x < kx.lo; ++x) dst[x] = 0.0f;
                for (int x = kx.lo; x < kx.hi; ++x) dst[x] = src_row[ix0 + x * d];
                for (int x = kx.hi; x < k; ++x) dst[x] = 0.0f;
            }
        }
    }
}

void im2row_forward(const ConvParams& p, const ConvPlan*, const float* in, const float* weights,
                    float* out, float* workspace, const ConvContext& ctx) {
    const int m = p.out_per_group(), n = p.out_h * p.out_w;
    const int kdim = p.in_per_group() * p.ksize * p.ksize;
    const std::size_t plane = std::size_t(p.h) * p.w;
    for (int b = 0; b < p.batch; ++b) {
        for (int g = 0; g < p.groups; ++g) {
            const float* in_group = in + (std::size_t(b) * p.c + g * p.in_per_group()) * plane;
            im2row(p, in_group, workspace, ctx.threads);
            const float* w_group = weights + std::size_t(g) * m * kdim;
            float* out_group = out + (std::size_t(b) * p.filters + g * m) * n;
            gemm_by_columns(m, n, kdim, w_group, kdim, workspace, kdim, true, out_group, n, ctx.threads);
        }
    }
}

}  // namespace

extern const ConvBackend conv_im2row_gemm = {
    // name
    "im2row",
    // description
    "im2row unfold (one receptive field per row) + BLAS sgemm against the transposed rows",
    // supports: all geometries whose GEMM sizes fit cblas' int
    im2row_supports,
    // workspace_bytes: one group's row matrix
    im2row_workspace_bytes,
    // prepare: (ci,ky,kx) row order matches the weight layout, no plan
    nullptr,
    // forward
    im2row_forward,
    // uses_blas
    true,
    // fuses_epilogue
    false,
    // preferred
    nullptr
};

}  // namespace dn
