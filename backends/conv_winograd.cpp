// Winograd F(2x2, 3x3) (Lavin & Gray 2016): each 2x2 output tile is computed from a 4x4
// input tile with 16 multiplies per (filter, channel) instead of 36. Weights are transformed
// once in prepare() to U[16][f][c] = (G g G^T); per image and group the input tiles become
// V[16][c][tiles] = (B^T d B), 16 GEMMs give M[16][f][tiles] = U * V, and Y = A^T M A writes
// the 2x2 outputs. Workspace: V and M. Each of the 16 GEMMs runs single-threaded on its own
// OpenMP thread, so results do not depend on the thread count.
// Supports only 3x3, stride 1, dilation 1. Float error is a few times that of a direct sum
// (the transforms add and subtract up to 4 terms); the tests allow 10x the direct tolerance.
// Wins on 3x3 layers with many channels, where the GEMMs are large.
#include <cblas.h>

#include <climits>
#include <cstring>
#include <vector>

#include "conv_backend.h"

namespace dn {
namespace {

struct WinogradPlan : ConvPlan {
    std::vector<float> u;  // [groups][16][f/groups][c/groups]
};

int tiles_h(const ConvParams& p) { return (p.out_h + 1) / 2; }
int tiles_w(const ConvParams& p) { return (p.out_w + 1) / 2; }

bool winograd_supports(const ConvParams& p, const char** why_not) {
    if (p.ksize != 3) return *why_not = "ksize != 3", false;
    if (p.stride != 1) return *why_not = "stride != 1", false;
    if (p.dilation != 1) return *why_not = "dilation != 1", false;
    if (std::size_t(tiles_h(p)) * tiles_w(p) > INT_MAX / 16) return *why_not = "too many tiles", false;
    return true;
}

std::size_t winograd_workspace_bytes(const ConvParams& p) {
    const std::size_t t = std::size_t(tiles_h(p)) * tiles_w(p);
    return sizeof(float) * 16 * t * (p.in_per_group() + p.out_per_group());
}

// U = G g G^T with G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
void transform_kernel(const float* g, float* u, std::size_t stride) {
    float t[4][3];  // G g
    for (int j = 0; j < 3; ++j) {
        t[0][j] = g[j];
        t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        t[3][j] = g[6 + j];
    }
    for (int i = 0; i < 4; ++i) {
        u[(i * 4 + 0) * stride] = t[i][0];
        u[(i * 4 + 1) * stride] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        u[(i * 4 + 2) * stride] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        u[(i * 4 + 3) * stride] = t[i][2];
    }
}

std::unique_ptr<ConvPlan> winograd_prepare(const ConvParams& p, const float* weights) {
    auto plan = std::make_unique<WinogradPlan>();
    const int fg = p.out_per_group(), cg = p.in_per_group();
    const std::size_t per_group = std::size_t(16) * fg * cg;
    plan->u.resize(per_group * p.groups);
    for (int g = 0; g < p.groups; ++g)
        for (int f = 0; f < fg; ++f)
            for (int c = 0; c < cg; ++c)
                transform_kernel(weights + ((std::size_t(g) * fg + f) * cg + c) * 9,
                                 plan->u.data() + g * per_group + std::size_t(f) * cg + c,
                                 std::size_t(fg) * cg);
    return plan;
}

// V = B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], for every tile of one
// channel; d is the 4x4 input patch at (2ty - pad, 2tx - pad), zero outside the image.
void transform_input(const ConvParams& p, const float* plane, float* v, std::size_t stride) {
    const int th = tiles_h(p), tw = tiles_w(p);
    for (int ty = 0; ty < th; ++ty) {
        for (int tx = 0; tx < tw; ++tx) {
            float d[4][4];
            const int y0 = 2 * ty - p.pad, x0 = 2 * tx - p.pad;
            for (int i = 0; i < 4; ++i) {
                const int y = y0 + i;
                for (int j = 0; j < 4; ++j) {
                    const int x = x0 + j;
                    d[i][j] = (y >= 0 && y < p.h && x >= 0 && x < p.w) ? plane[std::size_t(y) * p.w + x] : 0.0f;
                }
            }
            float t[4][4];  // B^T d
            for (int j = 0; j < 4; ++j) {
                t[0][j] = d[0][j] - d[2][j];
                t[1][j] = d[1][j] + d[2][j];
                t[2][j] = d[2][j] - d[1][j];
                t[3][j] = d[1][j] - d[3][j];
            }
            float* o = v + std::size_t(ty) * tw + tx;
            for (int i = 0; i < 4; ++i) {
                o[(i * 4 + 0) * stride] = t[i][0] - t[i][2];
                o[(i * 4 + 1) * stride] = t[i][1] + t[i][2];
                o[(i * 4 + 2) * stride] = t[i][2] - t[i][1];
                o[(i * 4 + 3) * stride] = t[i][1] - t[i][3];
            }
        }
    }
}

// Y = A^T m A with A^T = [1 1 1 0; 0 1 -1 -1], written to the 2x2 outputs of each tile.
void transform_output(const ConvParams& p, const float* m, std::size_t stride, float* out_plane) {
    const int th = tiles_h(p), tw = tiles_w(p);
    for (int ty = 0; ty < th; ++ty) {
        for (int tx = 0; tx < tw; ++tx) {
            const float* s = m + std::size_t(ty) * tw + tx;
            float a[4][4];
            for (int i = 0; i < 16; ++i) a[i / 4][i % 4] = s[i * stride];
            float t[2][4];  // A^T m
            for (int j = 0; j < 4; ++j) {
                t[0][j] = a[0][j] + a[1][j] + a[2][j];
                t[1][j] = a[1][j] - a[2][j] - a[3][j];
            }
            const float y[2][2] = {{t[0][0] + t[0][1] + t[0][2], t[0][1] - t[0][2] - t[0][3]},
                                   {t[1][0] + t[1][1] + t[1][2], t[1][1] - t[1][2] - t[1][3]}};
            for (int i = 0; i < 2; ++i) {
                const int oy = 2 * ty + i;
                if (oy >= p.out_h) break;
                for (int j = 0; j < 2; ++j) {
                    const int ox = 2 * tx + j;
                    if (ox < p.out_w) out_plane[std::size_t(oy) * p.out_w + ox] = y[i][j];
                }
            }
        }
    }
}

void winograd_forward(const ConvParams& p, const ConvPlan* plan_base, const float* in, const float*,
                      float* out, float* workspace, const ConvContext& ctx) {
    const auto* plan = static_cast<const WinogradPlan*>(plan_base);
    const int fg = p.out_per_group(), cg = p.in_per_group();
    const int tiles = tiles_h(p) * tiles_w(p);
    const std::size_t vstride = std::size_t(cg) * tiles, mstride = std::size_t(fg) * tiles;
    float* v = workspace;
    float* m = workspace + 16 * vstride;
    const std::size_t in_plane = std::size_t(p.h) * p.w, out_plane = std::size_t(p.out_h) * p.out_w;
    for (int b = 0; b < p.batch; ++b) {
        for (int g = 0; g < p.groups; ++g) {
            const float* x = in + (std::size_t(b) * p.c + std::size_t(g) * cg) * in_plane;
            float* y = out + (std::size_t(b) * p.filters + std::size_t(g) * fg) * out_plane;
            const float* u = plan->u.data() + std::size_t(g) * 16 * fg * cg;
#pragma omp parallel num_threads(ctx.threads)
            {
#pragma omp for schedule(static)
                for (int c = 0; c < cg; ++c)
                    transform_input(p, x + c * in_plane, v + std::size_t(c) * tiles, vstride);
#pragma omp for schedule(static)
                for (int xi = 0; xi < 16; ++xi)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, fg, tiles, cg, 1.0f,
                                u + std::size_t(xi) * fg * cg, cg, v + xi * vstride, tiles, 0.0f,
                                m + xi * mstride, tiles);
#pragma omp for schedule(static)
                for (int f = 0; f < fg; ++f)
                    transform_output(p, m + std::size_t(f) * tiles, mstride, y + f * out_plane);
            }
        }
    }
}

}  // namespace

extern const ConvBackend conv_winograd = {
    // name
    "winograd",
    // description
    "Winograd F(2x2,3x3): 16 GEMMs on transformed tiles; 3x3 stride-1 layers with many channels",
    // supports: 3x3, stride 1, dilation 1
    winograd_supports,
    // workspace_bytes: transformed input V and products M
    winograd_workspace_bytes,
    // prepare: transformed weights U
    winograd_prepare,
    // forward
    winograd_forward,
    // uses_blas
    true,
    // fuses_epilogue
    false,
    // preferred
    nullptr
};

}  // namespace dn
