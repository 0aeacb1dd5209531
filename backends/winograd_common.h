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

// M_xi[f][t] = sum_c U_xi[f][c] V_xi[c][t] for every xi of one group. V_xi: tile panels of
// `nr` lanes ([panel][c][lane]) at v + xi * vstride; M_xi: rows of `tiles` at m + xi * mstride.
// A work-sharing loop (omp for): call it from every thread of a parallel region. Each output
// is summed in one fixed order, whatever the thread count.
void winograd_gemms(const GemmKernel& kern, const PackedWeights* u, int nxi, const float* v, std::size_t vstride,
                    float* m, std::size_t mstride, int cg, int fg, int tiles, int threads);

}  // namespace dn
