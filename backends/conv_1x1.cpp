// 1x1 stride-1 convolution as a plain GEMM on the input: per image and group,
// out[f x hw] = W[f x c] * in[c x hw], no unfolding and no workspace (the GEMM in fixed tiles
// dealt out to threads, conv_gemm.h, so the result does not depend on the thread count).
// Supports only ksize 1, stride 1, pad 0, dilation 1 (any groups). Wins on the 1x1 layers of
// squeeze/expand and bottleneck networks.
#include <cblas.h>

#include <climits>

#include "conv_backend.h"
#include "conv_gemm.h"

namespace dn {
namespace {

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
    for (int b = 0; b < p.batch; ++b)
        for (int g = 0; g < p.groups; ++g)
            gemm_by_columns(m, n, k, weights + std::size_t(g) * m * k, k,
                            in + (std::size_t(b) * p.c + std::size_t(g) * k) * n, n, false,
                            out + (std::size_t(b) * p.filters + std::size_t(g) * m) * n, n, ctx.threads);
}

}  // namespace

extern const ConvBackend conv_1x1 = {
    // name
    "1x1",
    // description
    "1x1 stride-1 convolution as one GEMM on the input, fixed tiles across threads",
    // supports: ksize 1, stride 1, pad 0, dilation 1
    conv1x1_supports,
    // workspace_bytes: none
    conv1x1_workspace_bytes,
    // prepare: the weights are the A operand as they are
    nullptr,
    // forward
    conv1x1_forward,
    // uses_blas
    true,
    // fuses_epilogue
    false,
    // preferred
    nullptr
};

}  // namespace dn
