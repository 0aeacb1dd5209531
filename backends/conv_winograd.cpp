// Winograd F(2x2, 3x3) (Lavin & Gray 2016): each 2x2 output tile is computed from a 4x4
// input tile with 16 multiplies per (filter, channel) instead of 36. Weights are transformed
// once in prepare() to U[16][f][c] = (G g G^T), each of the 16 packed as A panels for our
// GEMM microkernels (gemm_kernels.h); per image and group the input tiles become
// V[16][c][tiles] = (B^T d B), written straight into NR-wide B panels, 16 GEMMs give
// M[16][f][tiles] = U * V, and Y = A^T M A writes the 2x2 outputs, then bias and activation.
// Workspace: V (panels) and M. Threads split the (GEMM, tile panel) pairs; every output is
// summed in one fixed order, so results do not depend on the thread count.
// Supports only 3x3, stride 1, dilation 1. Float error is a few times that of a direct sum
// (the transforms add and subtract up to 4 terms); the tests allow 10x the direct tolerance.
// Wins on 3x3 layers with many channels, where the GEMMs are large.
#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "conv_packed.h"

namespace dn {
namespace {

struct WinogradPlan : ConvPlan {
    const GemmKernel* kernel = nullptr;
    std::vector<PackedWeights> u;  // [group][16]: U_xi, f/groups x c/groups, as A panels
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

// V holds whole NR-wide panels of tiles: sized for the widest NR, exact for it.
std::size_t v_floats(const ConvParams& p, int nr) {
    return std::size_t(16) * p.in_per_group() * ceil_div(tiles_h(p) * tiles_w(p), nr) * nr;
}

std::size_t winograd_workspace_bytes(const ConvParams& p) {
    const std::size_t t = std::size_t(tiles_h(p)) * tiles_w(p);
    return sizeof(float) * (v_floats(p, kGemmMaxNr) + 16 * t * p.out_per_group());
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
    plan->kernel = &gemm_kernel_default();
    const int fg = p.out_per_group(), cg = p.in_per_group();
    const std::size_t per_xi = std::size_t(fg) * cg;
    std::vector<float> u(16 * per_xi);
    ConvParams q;  // one U_xi as the weights of a 1x1 layer: fg filters over cg channels
    q.c = cg, q.filters = fg, q.ksize = 1, q.groups = 1;
    for (int g = 0; g < p.groups; ++g) {
        for (int f = 0; f < fg; ++f)
            for (int c = 0; c < cg; ++c)
                transform_kernel(weights + ((std::size_t(g) * fg + f) * cg + c) * 9, u.data() + std::size_t(f) * cg + c,
                                 per_xi);
        for (int xi = 0; xi < 16; ++xi)
            plan->u.push_back(pack_weights(q, u.data() + xi * per_xi, plan->kernel->mr));
    }
    return plan;
}

// V = B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], for every tile of one
// channel; d is the 4x4 input patch at (2ty - pad, 2tx - pad), zero outside the image.
// Tile t of channel c goes to panel t / nr, row c, lane t % nr of each V_xi (xi stride
// `stride`); lanes past the last tile are zeroed.
void transform_input(const ConvParams& p, const float* plane, float* v, std::size_t stride, int nr) {
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
            const int t_index = ty * tw + tx;
            float* o = v + std::size_t(t_index / nr) * p.in_per_group() * nr + t_index % nr;
            for (int i = 0; i < 4; ++i) {
                o[(i * 4 + 0) * stride] = t[i][0] - t[i][2];
                o[(i * 4 + 1) * stride] = t[i][1] + t[i][2];
                o[(i * 4 + 2) * stride] = t[i][2] - t[i][1];
                o[(i * 4 + 3) * stride] = t[i][1] - t[i][3];
            }
        }
    }
    const int tiles = th * tw, pad_lanes = ceil_div(tiles, nr) * nr - tiles;
    if (pad_lanes > 0)
        for (int xi = 0; xi < 16; ++xi) {
            float* o = v + xi * stride + std::size_t(tiles / nr) * p.in_per_group() * nr + tiles % nr;
            std::fill(o, o + pad_lanes, 0.0f);
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
    const GemmKernel& kern = *plan->kernel;
    const int mr = kern.mr, nr = kern.nr;
    const int fg = p.out_per_group(), cg = p.in_per_group();
    const int tiles = tiles_h(p) * tiles_w(p), tp = ceil_div(tiles, nr);
    const std::size_t vstride = std::size_t(cg) * tp * nr, mstride = std::size_t(fg) * tiles;
    float* v = workspace;
    float* m = workspace + v_floats(p, kGemmMaxNr);  // the layout workspace_bytes sized
    const std::size_t in_plane = std::size_t(p.h) * p.w, out_plane = std::size_t(p.out_h) * p.out_w;
    const ConvEpilogue* ep = ctx.epilogue;
    for (int b = 0; b < p.batch; ++b) {
        for (int g = 0; g < p.groups; ++g) {
            const float* x = in + (std::size_t(b) * p.c + std::size_t(g) * cg) * in_plane;
            float* y = out + (std::size_t(b) * p.filters + std::size_t(g) * fg) * out_plane;
            const PackedWeights* u = plan->u.data() + std::size_t(g) * 16;
#pragma omp parallel num_threads(ctx.threads)
            {
#pragma omp for schedule(static)
                for (int c = 0; c < cg; ++c) transform_input(p, x + c * in_plane, v + std::size_t(c) * nr, vstride, nr);
                // One task: one tile panel of one V_xi against every A panel of U_xi, the
                // B panel (K x NR) staying in L1.
#pragma omp for schedule(static)
                for (int task = 0; task < 16 * tp; ++task) {
                    const int xi = task / tp, j = task % tp, cols = std::min(nr, tiles - j * nr);
                    const PackedWeights& a = u[xi];
                    const float* bp = v + xi * vstride + std::size_t(j) * cg * nr;
                    float* c = m + xi * mstride + std::size_t(j) * nr;
                    for (int kb = 0; kb < a.k_blocks; ++kb) {
                        const int k0 = kb * a.kc, kl = std::min(a.kc, cg - k0);
                        for (int pi = 0; pi < a.m_panels; ++pi)
                            kern.run(kl, a.panel(0, kb, pi), bp + std::size_t(k0) * nr,
                                     c + std::size_t(pi) * mr * tiles, tiles, std::min(mr, fg - pi * mr), cols, kb > 0,
                                     nullptr);
                    }
                }
#pragma omp for schedule(static)
                for (int f = 0; f < fg; ++f) {
                    transform_output(p, m + std::size_t(f) * tiles, mstride, y + f * out_plane);
                    if (ep) ep->apply(y + f * out_plane, int(out_plane), ep->bias[g * fg + f], ep->arg);
                }
            }
        }
    }
}

// Measured per layer with `auto` on Tiny-Darknet, SqueezeNet and YOLOv3-tiny (Xeon AVX-512,
// 2 threads): Winograd beats packed and direct on 3x3 layers over at least 96 channels
// (e.g. 512->1024 at 13x13: 8.9 vs 11.7 ms; 128->256 at 26x26: 2.5 vs 2.8 ms), and over 64
// channels on small planes (64->512 at 14x14: 0.63 vs 0.73 ms); over 64 channels at 27x27
// and below 64 channels it loses.
bool winograd_preferred(const ConvParams& p) {
    return p.in_per_group() >= 96 || (p.in_per_group() >= 64 && p.out_h * p.out_w <= 256);
}

}  // namespace

extern const ConvBackend conv_winograd = {
    // name
    "winograd",
    // description
    "Winograd F(2x2,3x3): 16 GEMMs (own microkernels) on transformed tiles; 3x3 stride-1 layers with many channels",
    // supports: 3x3, stride 1, dilation 1
    winograd_supports,
    // workspace_bytes: transformed input V and products M
    winograd_workspace_bytes,
    // prepare: transformed weights U
    winograd_prepare,
    // forward
    winograd_forward,
    // uses_blas
    false,
    // fuses_epilogue: bias and activation per output plane, after its transform
    true,
    // preferred: 3x3 layers with many channels (measured, see winograd_preferred)
    winograd_preferred
};

}  // namespace dn
