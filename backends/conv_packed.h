// What the GEMM-kernel backends (`packed`, `direct`, `winograd`) share: the weights packed
// into the A panels of gemm_kernels.h; and prepare() with an explicit microkernel, for tests
// and benchmarks that run every kernel the CPU has (gemm_kernels_available()).
#pragma once
#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "aligned.h"
#include "conv_backend.h"
#include "gemm_kernels.h"

namespace dn {

extern const ConvBackend conv_packed;
extern const ConvBackend conv_direct;
extern const ConvBackend conv_winograd;
extern const ConvBackend conv_winograd4;

inline int ceil_div(int a, int b) { return (a + b - 1) / b; }

// K (rows of the col matrix, (c/groups)*k*k) is cut into blocks of at most this many, so
// one A panel (KC x MR floats, 24 KB at MR 12) stays in L1 while B panels stream past it.
constexpr int kGemmKcMax = 512;

// Weights [filters][c/groups][k][k] as A panels: per group and K block, MR-row panels
// [k][MR], zero past the last filter.
struct PackedWeights {
    int mr = 0, kdim = 0, kc = 0, k_blocks = 0, m_panels = 0;
    FloatBuffer a;  // [group][K block][panel][k][MR]

    std::size_t offset(int group, int k_block, int panel_index) const {
        const std::size_t mp = std::size_t(m_panels) * mr, k0 = std::size_t(k_block) * kc;
        const std::size_t kl = std::min(std::size_t(kc), std::size_t(kdim) - k0);
        return std::size_t(group) * mp * kdim + k0 * mp + std::size_t(panel_index) * mr * kl;
    }
    const float* panel(int group, int k_block, int panel_index) const {
        return a.data() + offset(group, k_block, panel_index);
    }
};

PackedWeights pack_weights(const ConvParams& p, const float* weights, int mr);

// The kernels' own bias and activation for an epilogue whose kind they compute (bias: the
// tile's first row), or none (null bias) when the caller must apply() it after the store.
inline GemmTileOut tile_epilogue(const ConvEpilogue* ep, const float* bias) {
    GemmTileOut o;
    if (!ep || ep->kind == EpilogueKind::other) return o;
    o.bias = bias;
    o.act = ep->kind == EpilogueKind::relu          ? GemmAct::relu
            : ep->kind == EpilogueKind::leaky       ? GemmAct::leaky
            : ep->kind == EpilogueKind::leaky_float ? GemmAct::leaky_float
                                                    : GemmAct::none;
    return o;
}

// Whether Winograd beats `direct` and `packed` on this layer (3x3, stride 1, dilation 1 with
// enough input channels; measured, see conv_winograd.cpp): `direct` declines these layers.
bool winograd_wins(const ConvParams& p);
// Whether F(4x4,3x3) Winograd beats the rest on this layer (measured, see conv_winograd4.cpp).
bool winograd4_wins(const ConvParams& p);

// prepare() of `packed`, `direct` and `winograd`, but with the given kernel instead of
// gemm_kernel_default().
std::unique_ptr<ConvPlan> packed_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel);
std::unique_ptr<ConvPlan> direct_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel);
std::unique_ptr<ConvPlan> winograd_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel);
std::unique_ptr<ConvPlan> winograd4_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel);

}  // namespace dn
