// Winograd F(2x2, 3x3) (Lavin & Gray 2016): each 2x2 output tile is computed from a 4x4
// input tile with 16 multiplies per (filter, channel) instead of 36. Weights are transformed
// once in prepare() to U[16][f][c] = (G g G^T), each of the 16 packed as A panels for our
// GEMM microkernels (gemm_kernels.h); per image and group the input tiles become
// V[16][c][tiles] = (B^T d B), written straight into NR-wide B panels, 16 GEMMs give
// M[16][f][tiles] = U * V, and Y = A^T M A writes the 2x2 outputs, then bias and activation.
// Tiles are numbered t = ty * (tw + 1) + tx: each row of tiles has one more, past the right
// edge, computed and dropped, so that the four input values at columns 2tx..2tx+3 of tile t
// sit at t and t + 1 of two deinterleaved planes, and those of patch rows 2 and 3 at t + tw + 1
// and t + tw + 2: both transforms are then plain vector arithmetic over runs of tiles.
// Workspace: V (panels) and M. Threads split the (GEMM, A panels) pairs; every output is
// summed in one fixed order, so results do not depend on the thread count.
// Supports only 3x3, stride 1, dilation 1. Float error is a few times that of a direct sum
// (the transforms add and subtract up to 4 terms); the tests allow 10x the direct tolerance.
// Wins on 3x3 layers with many channels, where the GEMMs are large.
#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "aligned.h"
#include "isa_clones.h"
#include "winograd_common.h"

namespace dn {
namespace {

int tiles_h(const ConvParams& p) { return (p.out_h + 1) / 2; }
int tiles_w(const ConvParams& p) { return (p.out_w + 1) / 2; }
// Tiles as numbered (with one extra per row): tiles_h * (tiles_w + 1).
int tile_count(const ConvParams& p) { return tiles_h(p) * (tiles_w(p) + 1); }

bool winograd_supports(const ConvParams& p, const char** why_not) {
    if (p.ksize != 3) return *why_not = "ksize != 3", false;
    if (p.stride != 1) return *why_not = "stride != 1", false;
    if (p.dilation != 1) return *why_not = "dilation != 1", false;
    if (std::size_t(tiles_h(p) + 1) * (tiles_w(p) + 1) > INT_MAX / 16) return *why_not = "too many tiles", false;
    return true;
}

// V holds whole NR-wide panels of tiles: sized for the widest NR, exact for it.
std::size_t v_floats(const ConvParams& p, int nr) {
    return std::size_t(16) * p.in_per_group() * ceil_div(tile_count(p), nr) * nr;
}

std::size_t winograd_workspace_bytes(const ConvParams& p) {
    return sizeof(float) * (v_floats(p, kGemmMaxNr) + 16 * std::size_t(tile_count(p)) * p.out_per_group());
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

}  // namespace

std::unique_ptr<ConvPlan> winograd_pack(const ConvParams& p, const float* weights, const GemmKernel& kernel, int nxi,
                                        WinogradKernelTransform transform) {
    auto plan = std::make_unique<WinogradPlan>();
    plan->kernel = &kernel;
    plan->nxi = nxi;
    const int fg = p.out_per_group(), cg = p.in_per_group();
    const std::size_t per_xi = std::size_t(fg) * cg;
    std::vector<float> u(nxi * per_xi);
    ConvParams q;  // one U_xi as the weights of a 1x1 layer: fg filters over cg channels
    q.c = cg, q.filters = fg, q.ksize = 1, q.groups = 1;
    for (int g = 0; g < p.groups; ++g) {
        for (int f = 0; f < fg; ++f)
            for (int c = 0; c < cg; ++c)
                transform(weights + ((std::size_t(g) * fg + f) * cg + c) * 9, u.data() + std::size_t(f) * cg + c, per_xi);
        for (int xi = 0; xi < nxi; ++xi)
            plan->u.push_back(pack_weights(q, u.data() + xi * per_xi, plan->kernel->mr));
    }
    return plan;
}

std::unique_ptr<ConvPlan> winograd_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel) {
    return winograd_pack(p, weights, kernel, 16, transform_kernel);
}

namespace {

std::unique_ptr<ConvPlan> winograd_prepare(const ConvParams& p, const float* weights) {
    return winograd_prepare_with(p, weights, gemm_kernel_default());
}

// B^T d B for `n` consecutive tiles, as vectors across tiles: e_i, o_i are the even and odd
// columns of patch row i (tile k's four columns: e_i[k], o_i[k], e_i[k+1], o_i[k+1]); r_xi
// receive the 16 values. One restrict argument per pointer: given arrays of pointers (even
// copied into restrict locals, as output_run does), GCC 12 did not vectorise this loop once
// inlined.
void transform_run(int n, const float* __restrict e0, const float* __restrict e1, const float* __restrict e2,
                   const float* __restrict e3, const float* __restrict o0, const float* __restrict o1,
                   const float* __restrict o2, const float* __restrict o3, float* __restrict r0,
                   float* __restrict r1, float* __restrict r2, float* __restrict r3, float* __restrict r4,
                   float* __restrict r5, float* __restrict r6, float* __restrict r7, float* __restrict r8,
                   float* __restrict r9, float* __restrict r10, float* __restrict r11, float* __restrict r12,
                   float* __restrict r13, float* __restrict r14, float* __restrict r15) {
    for (int k = 0; k < n; ++k) {
        // B^T d: rows a (d0 - d2), b (d1 + d2), c (d2 - d1), g (d1 - d3), columns 0..3
        const float a0 = e0[k] - e2[k], a1 = o0[k] - o2[k], a2 = e0[k + 1] - e2[k + 1], a3 = o0[k + 1] - o2[k + 1];
        const float b0 = e1[k] + e2[k], b1 = o1[k] + o2[k], b2 = e1[k + 1] + e2[k + 1], b3 = o1[k + 1] + o2[k + 1];
        const float c0 = e2[k] - e1[k], c1 = o2[k] - o1[k], c2 = e2[k + 1] - e1[k + 1], c3 = o2[k + 1] - o1[k + 1];
        const float g0 = e1[k] - e3[k], g1 = o1[k] - o3[k], g2 = e1[k + 1] - e3[k + 1], g3 = o1[k + 1] - o3[k + 1];
        // (B^T d) B, row by row
        r0[k] = a0 - a2, r1[k] = a1 + a2, r2[k] = a2 - a1, r3[k] = a1 - a3;
        r4[k] = b0 - b2, r5[k] = b1 + b2, r6[k] = b2 - b1, r7[k] = b1 - b3;
        r8[k] = c0 - c2, r9[k] = c1 + c2, r10[k] = c2 - c1, r11[k] = c1 - c3;
        r12[k] = g0 - g2, r13[k] = g1 + g2, r14[k] = g2 - g1, r15[k] = g1 - g3;
    }
}

// Per-thread scratch floats of both transforms.
std::size_t scratch_floats(const ConvParams& p) {
    const std::size_t r = std::size_t(tiles_w(p)) + 1, plane = (std::size_t(tiles_h(p)) + 1) * r + 1;
    return std::max(4 * plane + 2 * r, 4 * std::size_t(tile_count(p)));
}

// V = B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], for every tile of one
// channel; d is the 4x4 input patch at (2ty - pad, 2tx - pad), zero outside the image.
// Tile t of channel c goes to panel t / nr, row c, lane t % nr of each V_xi (xi stride
// `stride`); lanes past the last tile are zeroed.
// The input is first split into four planes by row and column parity, [th + 1][tw + 1]
// each: ee[py][q] = x(2py - pad, 2q - pad), eo (column 2q + 1), oe (row 2py + 1), oo (both).
// Tile t = ty*(tw+1) + tx then reads rows 0 and 1 of its patch at ee/eo and oe/oo [t, t+1],
// rows 2 and 3 at [t + tw + 1, t + tw + 2].
void transform_input(const ConvParams& p, const float* plane, float* v, std::size_t stride, int nr, float* scratch) {
    const int th = tiles_h(p), r = tiles_w(p) + 1, cg = p.in_per_group(), tiles = th * r;
    const std::size_t pl = std::size_t(th + 1) * r + 1;  // + 1: the last tile's reads at t + r + 1
    float *ee = scratch, *eo = ee + pl, *oe = eo + pl, *oo = oe + pl;
    // One input row, zero-padded: line[k] is column k - pad, k in [0, 2r).
    float* line = scratch + 4 * pl;
    const int k_lo = std::clamp(p.pad, 0, 2 * r), k_hi = std::clamp(p.w + p.pad, k_lo, 2 * r);
    std::fill(line, line + k_lo, 0.0f);
    std::fill(line + k_hi, line + 2 * r, 0.0f);
    for (int py = 0; py <= th; ++py)
        for (int par = 0; par < 2; ++par) {
            float* e = (par ? oe : ee) + std::size_t(py) * r;
            float* o = (par ? oo : eo) + std::size_t(py) * r;
            const int y = 2 * py + par - p.pad;
            if (y < 0 || y >= p.h) {
                std::fill(e, e + r, 0.0f);
                std::fill(o, o + r, 0.0f);
                continue;
            }
            const float* row = plane + std::size_t(y) * p.w - p.pad;
            std::copy(row + k_lo, row + k_hi, line + k_lo);
            for (int q = 0; q < r; ++q) e[q] = line[2 * q], o[q] = line[2 * q + 1];
        }
    ee[pl - 1] = eo[pl - 1] = oe[pl - 1] = oo[pl - 1] = 0.0f;
    // Runs of consecutive lanes, cut at panel ends, transformed straight into every V_xi.
    for (int t = 0; t < tiles;) {
        const int lane = t % nr, len = std::min(nr - lane, tiles - t);
        float* o = v + std::size_t(t / nr) * cg * nr + lane;
        float* d[16];
        for (int xi = 0; xi < 16; ++xi) d[xi] = o + xi * stride;
        transform_run(len, ee + t, oe + t, ee + t + r, oe + t + r, eo + t, oo + t, eo + t + r, oo + t + r, d[0], d[1],
                      d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
        t += len;
    }
    const int pad_lanes = ceil_div(tiles, nr) * nr - tiles;
    if (pad_lanes > 0)
        for (int xi = 0; xi < 16; ++xi) {
            float* o = v + xi * stride + std::size_t(tiles / nr) * cg * nr + tiles % nr;
            std::fill(o, o + pad_lanes, 0.0f);
        }
}

// Y = A^T m A with A^T = [1 1 1 0; 0 1 -1 -1] for `n` consecutive tiles, as vectors across
// tiles: s_xi[k] is M_xi of tile k; y_ij[k] receives its output (2ty+i, 2tx+j).
void output_run(int n, const float* const* s, float* __restrict y00, float* __restrict y01, float* __restrict y10,
                float* __restrict y11) {
    const float *__restrict s0 = s[0], *__restrict s1 = s[1], *__restrict s2 = s[2], *__restrict s3 = s[3],
                *__restrict s4 = s[4], *__restrict s5 = s[5], *__restrict s6 = s[6], *__restrict s7 = s[7],
                *__restrict s8 = s[8], *__restrict s9 = s[9], *__restrict s10 = s[10], *__restrict s11 = s[11],
                *__restrict s12 = s[12], *__restrict s13 = s[13], *__restrict s14 = s[14], *__restrict s15 = s[15];
    for (int k = 0; k < n; ++k) {
        // A^T m: rows t0 (m0 + m1 + m2) and t1 (m1 - m2 - m3), columns 0..3
        const float t00 = s0[k] + s4[k] + s8[k], t01 = s1[k] + s5[k] + s9[k];
        const float t02 = s2[k] + s6[k] + s10[k], t03 = s3[k] + s7[k] + s11[k];
        const float t10 = s4[k] - s8[k] - s12[k], t11 = s5[k] - s9[k] - s13[k];
        const float t12 = s6[k] - s10[k] - s14[k], t13 = s7[k] - s11[k] - s15[k];
        y00[k] = t00 + t01 + t02, y01[k] = t01 - t02 - t03;
        y10[k] = t10 + t11 + t12, y11[k] = t11 - t12 - t13;
    }
}

// The outputs of one filter from its 16 M_xi rows (stride `stride`): all tiles at once into
// four scratch planes (y00, y01, y10, y11 by tile), then interleaved into the output rows.
void transform_output(const ConvParams& p, const float* m, std::size_t stride, float* out_plane, float* scratch) {
    const int th = tiles_h(p), r = tiles_w(p) + 1, tiles = th * r;
    float* y[4] = {scratch, scratch + tiles, scratch + 2 * tiles, scratch + 3 * tiles};
    const float* s[16];
    for (int xi = 0; xi < 16; ++xi) s[xi] = m + xi * stride;
    output_run(tiles, s, y[0], y[1], y[2], y[3]);
    const int pairs = p.out_w / 2;
    for (int ty = 0; ty < th; ++ty)
        for (int i = 0; i < 2; ++i) {
            const int oy = 2 * ty + i;
            if (oy >= p.out_h) break;
            float* o = out_plane + std::size_t(oy) * p.out_w;
            const float *ye = y[2 * i] + std::size_t(ty) * r, *yo = y[2 * i + 1] + std::size_t(ty) * r;
            for (int tx = 0; tx < pairs; ++tx) o[2 * tx] = ye[tx], o[2 * tx + 1] = yo[tx];
            if (p.out_w % 2) o[p.out_w - 1] = ye[pairs];
        }
}

// Both transforms per ISA (isa_clones.h), picked from the plan's kernel: vector code across
// tiles, 8 lanes wide with AVX2 where the baseline runs 4.
DN_CLONES(transform_input,
          (const ConvParams& p, const float* plane, float* v, std::size_t stride, int nr, float* scratch),
          (p, plane, v, stride, nr, scratch))
DN_CLONES(transform_output, (const ConvParams& p, const float* m, std::size_t stride, float* out_plane, float* scratch),
          (p, m, stride, out_plane, scratch))

void winograd_forward(const ConvParams& p, const ConvPlan* plan, const float* in, const float*, float* out,
                      float* workspace, const ConvContext& ctx) {
    const auto& pl = *static_cast<const WinogradPlan*>(plan);
    const WinogradTransforms t = {tile_count(p), v_floats(p, kGemmMaxNr), scratch_floats(p),
                                  DN_PICK(transform_input, pl.kernel->id), DN_PICK(transform_output, pl.kernel->id)};
    winograd_run(p, pl, t, in, out, workspace, ctx);
}

bool winograd_preferred(const ConvParams& p) { return winograd_wins(p); }

// M_xi[f][t] = sum_c U_xi[f][c] V_xi[c][t] for every xi of one group: a work-sharing loop
// (omp for) inside winograd_run's parallel region.
void winograd_gemms(const GemmKernel& kern, const PackedWeights* u, int nxi, const float* v, std::size_t vstride,
                    float* m, std::size_t mstride, int cg, int fg, int tiles, int threads) {
    const int mr = kern.mr, nr = kern.nr, tp = ceil_div(tiles, nr);
    // One task: a run of A panels of one U_xi, each (KC x MR, in L1) against every tile
    // panel of V_xi (in L2): U, the largest operand, is read once.
    const int mp = u[0].m_panels, chunks = std::max(1, std::min(mp, ceil_div(4 * threads, nxi)));
#pragma omp for schedule(static)
    for (int task = 0; task < nxi * chunks; ++task) {
        const int xi = task / chunks, ch = task % chunks;
        const PackedWeights& a = u[xi];
        for (int pi = mp * ch / chunks; pi < mp * (ch + 1) / chunks; ++pi)
            for (int kb = 0; kb < a.k_blocks; ++kb) {
                const int k0 = kb * a.kc, kl = std::min(a.kc, cg - k0);
                for (int j = 0; j < tp; ++j)
                    kern.run(kl, a.panel(0, kb, pi), v + xi * vstride + (std::size_t(j) * cg + k0) * nr,
                             m + xi * mstride + std::size_t(pi) * mr * tiles + std::size_t(j) * nr, tiles,
                             std::min(mr, fg - pi * mr), std::min(nr, tiles - j * nr), kb > 0, nullptr);
            }
    }
}

}  // namespace

void winograd_run(const ConvParams& p, const WinogradPlan& plan, const WinogradTransforms& t, const float* in,
                  float* out, float* workspace, const ConvContext& ctx) {
    const GemmKernel& kern = *plan.kernel;
    const int nr = kern.nr;
    const int fg = p.out_per_group(), cg = p.in_per_group();
    const int tiles = t.tiles, tp = ceil_div(tiles, nr);
    const std::size_t vstride = std::size_t(cg) * tp * nr, mstride = std::size_t(fg) * tiles;
    float* v = workspace;
    float* m = workspace + t.v_floats;  // the layout workspace_bytes sized
    const std::size_t in_plane = std::size_t(p.h) * p.w, out_plane = std::size_t(p.out_h) * p.out_w;
    const ConvEpilogue* ep = ctx.epilogue;
    for (int b = 0; b < p.batch; ++b) {
        for (int g = 0; g < p.groups; ++g) {
            const float* x = in + (std::size_t(b) * p.c + std::size_t(g) * cg) * in_plane;
            float* y = out + (std::size_t(b) * p.filters + std::size_t(g) * fg) * out_plane;
            const PackedWeights* u = plan.u.data() + std::size_t(g) * plan.nxi;
#pragma omp parallel num_threads(ctx.threads)
            {
                // Per thread, kept across calls: grown, never allocated per forward pass.
                thread_local FloatBuffer scratch;
                if (scratch.size() < t.scratch_floats) scratch.resize(t.scratch_floats);
#pragma omp for schedule(static)
                for (int c = 0; c < cg; ++c)
                    t.input(p, x + c * in_plane, v + std::size_t(c) * nr, vstride, nr, scratch.data());
                winograd_gemms(kern, u, plan.nxi, v, vstride, m, mstride, cg, fg, tiles, ctx.threads);
#pragma omp for schedule(static)
                for (int f = 0; f < fg; ++f) {
                    t.output(p, m + std::size_t(f) * tiles, mstride, y + f * out_plane, scratch.data());
                    if (ep) ep->apply(y + f * out_plane, int(out_plane), ep->bias[g * fg + f], ep->arg);
                }
            }
        }
    }
}

// Measured on single-layer cfgs of the three networks' 3x3 layers (methods alternating over
// rounds, per-round ratios; Xeon AVX-512, 1 and 2 threads), after the transforms became
// vector code: Winograd / direct time 0.67-0.79 from 64 channels (64->128 at 52x52, 64->256
// at 27x27, 64->512 at 14x14), 0.80 (2 threads) to 0.99 (1 thread) at 48 channels (27x27),
// 0.94-0.96 at 32 channels on 28x28, but 1.09-1.26 at 32 channels on 55x55 and 104x104 and
// 1.46-2.16 at 16 channels.
bool winograd_wins(const ConvParams& p) {
    if (p.ksize != 3 || p.stride != 1 || p.dilation != 1) return false;
    return p.in_per_group() >= 48 || (p.in_per_group() >= 32 && p.out_h * p.out_w <= 1024);
}

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
    // preferred: 3x3 layers with enough channels (measured, see winograd_wins)
    winograd_preferred
};

}  // namespace dn
