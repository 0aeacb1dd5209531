// Winograd F(4x4, 3x3) (Lavin & Gray 2016, interpolation points 0, 1, -1, 2, -2): each 4x4
// output tile is computed from a 6x6 input tile with 36 multiplies per (filter, channel)
// instead of 144, against F(2x2, 3x3)'s 16 for 36 (conv_winograd.cpp): 2.25 multiplies per
// output where F(2x2) takes 4, for larger transforms. The structure is `winograd`'s:
// U[36][f][c] = G g G^T once in prepare(), as A panels; per image and group
// V[36][c][tiles] = B^T d B straight into NR-wide B panels, 36 GEMMs M = U * V
// (winograd_gemms), and Y = A^T M A writes the 4x4 outputs, then bias and activation.
// Both transforms are separable and run as vector code across the tiles of a chunk of tile
// rows (chunk_rows): each input row is split into four planes by column mod 4, so that the
// six values of tile tx's patch row sit at planes 0..3 [tx] and planes 0..1 [tx + 1].
// Tiles are numbered t = ty * tiles_w + tx.
// Supports only 3x3, stride 1, dilation 1. Float error: the transforms' coefficients reach
// 8 (A) and 5 (B), and U is computed in double and rounded once; on the test grids the worst
// error is about 20x a direct sum's (F(2x2): about 1x), and the tests allow 3x the direct
// tolerance, which has a margin of about 100x over a direct sum's rounding.
#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "isa_clones.h"
#include "winograd_common.h"

namespace dn {
namespace {

constexpr int kXi = 36;  // 6 x 6 transformed points per tile

int tiles_h(const ConvParams& p) { return (p.out_h + 3) / 4; }
int tiles_w(const ConvParams& p) { return (p.out_w + 3) / 4; }
int tile_count(const ConvParams& p) { return tiles_h(p) * tiles_w(p); }

bool winograd4_supports(const ConvParams& p, const char** why_not) {
    if (p.ksize != 3) return *why_not = "ksize != 3", false;
    if (p.stride != 1) return *why_not = "stride != 1", false;
    if (p.dilation != 1) return *why_not = "dilation != 1", false;
    if (std::size_t(tiles_h(p)) * tiles_w(p) > INT_MAX / (2 * kXi)) return *why_not = "too many tiles", false;
    return true;
}

std::size_t v_floats(const ConvParams& p, int nr) {
    return std::size_t(kXi) * p.in_per_group() * ceil_div(tile_count(p), nr) * nr;
}

std::size_t winograd4_workspace_bytes(const ConvParams& p) {
    return sizeof(float) * (v_floats(p, kGemmMaxNr) + kXi * std::size_t(tile_count(p)) * p.out_per_group());
}

// U = G g G^T, G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6;
// 0 0 1], in double, rounded once.
void transform_kernel(const float* g, float* u, std::size_t stride) {
    static const double G[6][3] = {{0.25, 0, 0},
                                   {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                   {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                   {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                   {0, 0, 1}};
    double t[6][3];  // G g
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 3; ++j) t[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j)
            u[(i * 6 + j) * stride] = float(t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2]);
}

std::unique_ptr<ConvPlan> winograd4_prepare(const ConvParams& p, const float* weights) {
    return winograd_pack(p, weights, gemm_kernel_default(), kXi, transform_kernel);
}

// r = B^T s for `n` vectors of six (s_i[k] the i-th value of vector k), with
// B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0;
// 0 4 0 -5 0 1]. One restrict argument per pointer, as in conv_winograd.cpp.
inline void bt_run(int n, const float* __restrict s0, const float* __restrict s1, const float* __restrict s2,
                   const float* __restrict s3, const float* __restrict s4, const float* __restrict s5,
                   float* __restrict r0, float* __restrict r1, float* __restrict r2, float* __restrict r3,
                   float* __restrict r4, float* __restrict r5) {
    for (int k = 0; k < n; ++k) {
        const float a = s3[k] + s4[k], b = s1[k] + s2[k], c = s4[k] - s3[k], d = s1[k] - s2[k];
        const float e = s4[k] - s2[k], f = s3[k] - s1[k];
        r0[k] = (4.0f * s0[k] - 5.0f * s2[k]) + s4[k];
        r1[k] = a - 4.0f * b;
        r2[k] = c + 4.0f * d;
        r3[k] = e + 2.0f * f;
        r4[k] = e - 2.0f * f;
        r5[k] = (4.0f * s1[k] - 5.0f * s3[k]) + s5[k];
    }
}

// r = A^T s for `n` vectors of six, A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0;
// 0 1 -1 8 -8 1].
inline void at_run(int n, const float* __restrict s0, const float* __restrict s1, const float* __restrict s2,
                   const float* __restrict s3, const float* __restrict s4, const float* __restrict s5,
                   float* __restrict r0, float* __restrict r1, float* __restrict r2, float* __restrict r3) {
    for (int k = 0; k < n; ++k) {
        const float a = s1[k] + s2[k], b = s1[k] - s2[k], c = s3[k] + s4[k], d = s3[k] - s4[k];
        r0[k] = (s0[k] + a) + c;
        r1[k] = b + 2.0f * d;
        r2[k] = a + 4.0f * c;
        r3[k] = (b + 8.0f * d) + s5[k];
    }
}

// Tile rows a transform takes at once: enough for about kChunkTiles tiles (at least one row),
// so that the vector loops run over whole chunks of tiles rather than one row of them (a
// 27x27 plane has 7 tiles a row, less than one AVX-512 vector) and the chunk's scratch
// stays in L1.
constexpr int kChunkTiles = 64;
int chunk_rows(const ConvParams& p) { return std::min(tiles_h(p), std::max(1, kChunkTiles / tiles_w(p))); }

// Per-thread scratch floats of both transforms: the input's padded line, the same split by
// column mod 4, and 2 x 36 values per tile of a chunk; the output's 24 + 16 per tile.
std::size_t scratch_floats(const ConvParams& p) {
    const std::size_t tw = tiles_w(p), n = std::size_t(chunk_rows(p)) * tw;
    return 8 * (tw + 1) + 72 * n;
}

// V = B^T d B for every tile of one channel; d is the 6x6 input patch at (4ty - pad,
// 4tx - pad), zero outside the image. Tile t goes to panel t / nr, row c, lane t % nr of
// each V_xi (xi stride `stride`); lanes past the last tile are zeroed. Per chunk of tile
// rows: the patches' values by position, d[i][k][t] = d_t(i, k); the row transforms
// w[i][j] = (d_i B)_j; then the column transforms B^T w into V. Every stage is one vector
// loop over the chunk's tiles.
void transform_input(const ConvParams& p, const float* plane, float* v, std::size_t stride, int nr, float* scratch) {
    const int th = tiles_h(p), tw = tiles_w(p), q = tw + 1, cg = p.in_per_group(), tiles = th * tw;
    const int rows = chunk_rows(p), cap = rows * tw;
    float* line = scratch;    // one input row, zero-padded: line[k] is column k - pad, k in [0, 4q)
    float* split = line + 4 * q;  // the line by column mod 4: split[r * q + x] = line[4x + r]
    float* d = split + 4 * q;     // [i * 6 + k][tile of the chunk], row stride cap
    float* w = d + 36 * cap;      // [i * 6 + j][tile of the chunk]
    const int k_lo = std::clamp(p.pad, 0, 4 * q), k_hi = std::clamp(p.w + p.pad, k_lo, 4 * q);
    std::fill(line, line + k_lo, 0.0f);
    std::fill(line + k_hi, line + 4 * q, 0.0f);
    for (int ty0 = 0; ty0 < th; ty0 += rows) {
        const int ty1 = std::min(th, ty0 + rows), n = (ty1 - ty0) * tw;
        for (int ty = ty0; ty < ty1; ++ty) {
            const int base = (ty - ty0) * tw;
            for (int i = 0; i < 6; ++i) {
                float* di = d + i * 6 * cap + base;
                const int y = 4 * ty + i - p.pad;
                if (y < 0 || y >= p.h) {
                    for (int k = 0; k < 6; ++k) std::fill(di + k * cap, di + k * cap + tw, 0.0f);
                    continue;
                }
                const float* row = plane + std::size_t(y) * p.w - p.pad;
                std::copy(row + k_lo, row + k_hi, line + k_lo);
                // Columns by their residue mod 4, so that each d[i][k] is a contiguous copy:
                // column 4tx + k is split[k % 4][tx + k / 4].
                for (int x = 0; x < q; ++x)
                    split[x] = line[4 * x], split[q + x] = line[4 * x + 1], split[2 * q + x] = line[4 * x + 2],
                    split[3 * q + x] = line[4 * x + 3];
                for (int k = 0; k < 6; ++k) {
                    const float* from = split + (k % 4) * q + k / 4;
                    std::copy(from, from + tw, di + k * cap);
                }
            }
        }
        for (int i = 0; i < 6; ++i) {
            const float* s = d + i * 6 * cap;
            float* r = w + i * 6 * cap;
            bt_run(n, s, s + cap, s + 2 * cap, s + 3 * cap, s + 4 * cap, s + 5 * cap, r, r + cap, r + 2 * cap,
                   r + 3 * cap, r + 4 * cap, r + 5 * cap);
        }
        // Runs of consecutive lanes, cut at panel ends.
        for (int t = ty0 * tw, end = t + n; t < end;) {
            const int lane = t % nr, len = std::min(nr - lane, end - t);
            float* o = v + std::size_t(t / nr) * cg * nr + lane;
            for (int j = 0; j < 6; ++j) {
                const float* s = w + j * cap + (t - ty0 * tw);  // w[i][j] at s + i * 6 * cap
                bt_run(len, s, s + 6 * cap, s + 12 * cap, s + 18 * cap, s + 24 * cap, s + 30 * cap, o + j * stride,
                       o + (6 + j) * stride, o + (12 + j) * stride, o + (18 + j) * stride, o + (24 + j) * stride,
                       o + (30 + j) * stride);
            }
            t += len;
        }
    }
    const int pad_lanes = ceil_div(tiles, nr) * nr - tiles;
    if (pad_lanes > 0)
        for (int xi = 0; xi < kXi; ++xi) {
            float* o = v + xi * stride + std::size_t(tiles / nr) * cg * nr + tiles % nr;
            std::fill(o, o + pad_lanes, 0.0f);
        }
}

// The outputs of one filter from its 36 M_xi rows (stride `stride`), a chunk of tile rows at
// a time: z[a][j] = (m_a A)_j, then y = A^T z, both over the chunk's tiles, then
// interleaved into the output rows.
void transform_output(const ConvParams& p, const float* m, std::size_t stride, float* out_plane, float* scratch) {
    const int th = tiles_h(p), tw = tiles_w(p), rows = chunk_rows(p), cap = rows * tw;
    float* z = scratch;       // [a * 4 + j][tile of the chunk]
    float* y = z + 24 * cap;  // [i * 4 + j][tile of the chunk]
    const int full = p.out_w / 4, rest = p.out_w % 4;
    for (int ty0 = 0; ty0 < th; ty0 += rows) {
        const int ty1 = std::min(th, ty0 + rows), n = (ty1 - ty0) * tw;
        const float* s = m + std::size_t(ty0) * tw;
        for (int a = 0; a < 6; ++a) {
            float* za = z + a * 4 * cap;
            at_run(n, s + (6 * a) * stride, s + (6 * a + 1) * stride, s + (6 * a + 2) * stride,
                   s + (6 * a + 3) * stride, s + (6 * a + 4) * stride, s + (6 * a + 5) * stride, za, za + cap,
                   za + 2 * cap, za + 3 * cap);
        }
        for (int j = 0; j < 4; ++j) {
            const float* zj = z + j * cap;  // z[a][j] at zj + a * 4 * cap
            at_run(n, zj, zj + 4 * cap, zj + 8 * cap, zj + 12 * cap, zj + 16 * cap, zj + 20 * cap, y + j * cap,
                   y + (4 + j) * cap, y + (8 + j) * cap, y + (12 + j) * cap);
        }
        for (int ty = ty0; ty < ty1; ++ty)
            for (int i = 0; i < 4; ++i) {
                const int oy = 4 * ty + i;
                if (oy >= p.out_h) break;
                float* o = out_plane + std::size_t(oy) * p.out_w;
                const float* y0 = y + (4 * i) * cap + (ty - ty0) * tw;
                const float *y1 = y0 + cap, *y2 = y1 + cap, *y3 = y2 + cap;
                for (int tx = 0; tx < full; ++tx)
                    o[4 * tx] = y0[tx], o[4 * tx + 1] = y1[tx], o[4 * tx + 2] = y2[tx], o[4 * tx + 3] = y3[tx];
                const float* yr[3] = {y0, y1, y2};
                for (int j = 0; j < rest; ++j) o[4 * full + j] = yr[j][full];
            }
    }
}

DN_CLONES(transform_input,
          (const ConvParams& p, const float* plane, float* v, std::size_t stride, int nr, float* scratch),
          (p, plane, v, stride, nr, scratch))
DN_CLONES(transform_output, (const ConvParams& p, const float* m, std::size_t stride, float* out_plane, float* scratch),
          (p, m, stride, out_plane, scratch))

void winograd4_forward(const ConvParams& p, const ConvPlan* plan, const float* in, const float*, float* out,
                       float* workspace, const ConvContext& ctx) {
    const auto& pl = *static_cast<const WinogradPlan*>(plan);
    const WinogradTransforms t = {tile_count(p), v_floats(p, kGemmMaxNr), scratch_floats(p),
                                  DN_PICK(transform_input, pl.kernel->id), DN_PICK(transform_output, pl.kernel->id)};
    winograd_run(p, pl, t, in, out, workspace, ctx);
}

bool winograd4_preferred(const ConvParams& p) { return winograd4_wins(p); }

}  // namespace

std::unique_ptr<ConvPlan> winograd4_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel) {
    return winograd_pack(p, weights, kernel, kXi, transform_kernel);
}

// Measured on single-layer cfgs of the three networks' 3x3 stride-1 layers after the
// transforms ran over chunks of tiles (direct, winograd and winograd4 taking turns, 3 rounds,
// least ms; one Xeon core), winograd4's time over the best of the other two:
// - AVX-512: 0.59-0.87 from 32 channels on planes over 14x14 (27x27x48 -> 192 0.59,
//   28x28x32 -> 256 0.69, 26x26x128 -> 256 0.74, 55x55x32 -> 128 0.78, 52x52x64 0.84,
//   26x26x384 0.87; 27x27x64 -> 256 0.98, 104x104x32 1.05, about a tie); on 13x13 and
//   14x14 winograd was faster (winograd4 1.26-1.41), and at 16 channels direct (1.13-1.92).
//   Those runs had malloc's alignment (aligned.h), which cost winograd4 up to 1.5x on a
//   13x13 layer. With 64-byte buffers, on a Zen 5 (3 rounds): winograd4 0.86-0.97 of
//   winograd's time on 13x13 and 14x14 from 64 channels (14x14x64 -> 512 0.32 vs 0.36 ms,
//   13x13x128 -> 256 0.31 vs 0.35, 256 -> 512 1.11 vs 1.29, 512 -> 1024 6.1 vs 6.8,
//   1024 -> 512 6.9 vs 7.2), but not at 32 (14x14x32 -> 64 0.05 vs 0.04), so it takes
//   those planes from 64 channels (not re-measured on a Xeon);
// - AVX2 (DARKNET_ISA=avx2; the same order as an AMD Zen 3 showed before the change, where
//   winograd4 already took 13x13 and 14x14 from 64 channels): 0.52-0.90 from 32 channels on
//   every plane, 13x13 and 14x14 included (0.64-0.86), and 0.61-0.69 at 16 channels on
//   55x55 and 56x56; a tie at 112x112x16 (1.02), direct at 208x208x16 (1.71) and at 3
//   channels. The portable kernel, with vectors no wider, takes AVX2's rule (spot check,
//   DARKNET_ISA=generic, 5 of these shapes from 16 to 64 channels, 13x13 to 56x56:
//   winograd4 0.57-0.78 of winograd's time and 0.32-0.41 of direct's; again after that
//   kernel became vector types, 3 rounds on a Zen 5, 16 to 256 channels, 13x13 to 56x56:
//   0.62-0.71 and 0.27-0.36).
bool winograd4_wins(const ConvParams& p) {
    if (p.ksize != 3 || p.stride != 1 || p.dilation != 1) return false;
    const int c = p.in_per_group(), plane = p.out_h * p.out_w;
    if (gemm_kernel_default().id == Isa::avx512) return c >= 32 && (plane > 196 || (c >= 64 && plane >= 169));
    return c >= 32 || (c >= 16 && plane <= 4096);
}

extern const ConvBackend conv_winograd4 = {
    // name
    "winograd4",
    // description
    "Winograd F(4x4,3x3): 36 GEMMs (own microkernels) on 6x6 transformed tiles; 3x3 stride-1 layers",
    // supports: 3x3, stride 1, dilation 1
    winograd4_supports,
    // workspace_bytes: transformed input V and products M
    winograd4_workspace_bytes,
    // prepare: transformed weights U
    winograd4_prepare,
    // forward
    winograd4_forward,
    // uses_blas
    false,
    // fuses_epilogue: bias and activation per output plane, after its transform
    true,
    // preferred: measured, see winograd4_wins
    winograd4_preferred
};

}  // namespace dn
