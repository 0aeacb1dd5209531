// 1x1 stride-1 convolution as a plain GEMM on the input: per image and group,
// out[f x hw] = W[f x c] * in[c x hw], no unfolding and no workspace. The pixel columns are
// split across OpenMP threads, each calling single-threaded sgemm on its own block (OpenBLAS's
// OpenMP build runs BLAS serially inside a parallel region), so every output is summed in one
// fixed order and the result does not depend on the thread count.
// Supports only ksize 1, stride 1, pad 0, dilation 1 (any groups). Wins on the 1x1 layers of
// squeeze/expand and bottleneck networks.
#include <cblas.h>

#include <climits>

#include "conv_backend.h"

namespace dn {
namespace {

// Columns per block: a multiple of 16 floats (the widest SIMD tile), about two blocks per
// thread so small planes still keep every thread busy, at most 512 so W stays in cache.
int block_columns(int n, int threads) {
    int cols = (n + 2 * threads - 1) / (2 * threads);
    cols = (cols + 15) / 16 * 16;
    return cols < 32 ? 32 : cols > 512 ? 512 : cols;
}

bool conv1x1_supports(const ConvParams& p, const char** why_not) {
    if (p.ksize != 1) return *why_not = "ksize != 1", false;
    if (p.stride != 1) return *why_not = "stride != 1", false;
    if (p.pad != 0) return *why_not = "pad != 0", false;
    if (p.dilation != 1) return *why_not = "dilation != 1", false;
    if (std::size_t(p.h) * p.w > INT_MAX) return *why_not = "plane exceeds INT_MAX", false;
    return true;
}

std::size_t conv1x1_workspace_bytes(const ConvParams&) { return 0; }

void conv1x1_forward(const ConvParams& p, const ConvPlan*, const float* in, const float* weights,
                     float* out, float*, const ConvContext& ctx) {
    const int m = p.out_per_group(), k = p.in_per_group(), n = p.h * p.w;
    const int block = block_columns(n, ctx.threads);
    const int blocks = (n + block - 1) / block;
    const int jobs = p.batch * p.groups * blocks;
#pragma omp parallel for schedule(static) num_threads(ctx.threads)
    for (int job = 0; job < jobs; ++job) {
        const int blk = job % blocks, g = job / blocks % p.groups, b = job / blocks / p.groups;
        const int col = blk * block, cols = n - col < block ? n - col : block;
        const float* x = in + (std::size_t(b) * p.c + std::size_t(g) * k) * n + col;
        float* y = out + (std::size_t(b) * p.filters + std::size_t(g) * m) * n + col;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, cols, k, 1.0f,
                    weights + std::size_t(g) * m * k, k, x, n, 0.0f, y, n);
    }
}

}  // namespace

extern const ConvBackend conv_1x1 = {
    // name
    "1x1",
    // description
    "1x1 stride-1 convolution as one GEMM on the input, column blocks across threads",
    // supports: ksize 1, stride 1, pad 0, dilation 1
    conv1x1_supports,
    // workspace_bytes: none
    conv1x1_workspace_bytes,
    // prepare: the weights are the A operand as they are
    nullptr,
    // forward
    conv1x1_forward,
    // uses_blas
    true
};

}  // namespace dn
