// What the two Winograd backends share (conv_winograd.cpp: F(2x2,3x3), 16 GEMMs;
// conv_winograd4.cpp: F(4x4,3x3), 36 GEMMs): the transformed weights U as A panels, and the
// batch of GEMMs M_xi = U_xi * V_xi between the input and output transforms.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "conv_packed.h"

namespace dn {

struct WinogradPlan : ConvPlan {
    const GemmKernel* kernel = nullptr;
    int nxi = 0;                   // transformed points per tile: 16 or 36
    std::vector<PackedWeights> u;  // [group][nxi]: U_xi, f/groups x c/groups, as A panels
};

// transform(g, u, stride) writes the nxi values of one 3x3 kernel g, value xi at u[xi * stride].
using WinogradKernelTransform = void (*)(const float* g, float* u, std::size_t stride);

std::unique_ptr<ConvPlan> winograd_pack(const ConvParams& p, const float* weights, const GemmKernel& kernel, int nxi,
                                        WinogradKernelTransform transform);

// One Winograd backend's transforms and sizes, for winograd_run.
struct WinogradTransforms {
    int tiles;                   // tiles per plane, as the transforms number them
    std::size_t v_floats;        // floats of V in the workspace (M follows)
    std::size_t scratch_floats;  // per-thread scratch of the two transforms
    // V_xi for every tile of one channel: tile t at panel t / nr, row c (v points at row c
    // of panel 0 of V_0), lane t % nr; V_xi at v + xi * stride; lanes past the last tile zeroed.
    void (*input)(const ConvParams& p, const float* plane, float* v, std::size_t stride, int nr, float* scratch);
    // The outputs of one filter from its plan.nxi rows of M (m + xi * stride, `tiles` long).
    void (*output)(const ConvParams& p, const float* m, std::size_t stride, float* out_plane, float* scratch);
};

// forward() of both: per image and group, the input transform (channels split over threads),
// the nxi GEMMs M_xi = U_xi * V_xi (A panel runs split over threads; each output summed in
// one fixed order whatever the thread count), the output transform with bias and activation
// (filters split over threads).
void winograd_run(const ConvParams& p, const WinogradPlan& plan, const WinogradTransforms& t, const float* in,
                  float* out, float* workspace, const ConvContext& ctx);

}  // namespace dn
