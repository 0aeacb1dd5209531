// direct: implicit-GEMM convolution for wide planes. Each image is copied once into a
// zero-padded buffer whose columns are split into `stride` phases (phase q holds padded
// columns q, q+s, q+2s, ...). Then, for any stride, the input values one kernel tap
// (ci, ky, kx) meets along a run of output pixels of one row are consecutive in the buffer,
// and the microkernel reads them in place (gemm_kernels.h, run_indirect): no unfolding and
// no B packing. The weights are packed into MR-row panels at load, as in `packed`, and bias
// and activation are applied to each finished tile.
// Layouts: input NCHW; weights [filters][c/groups][k][k]; workspace: the padded image
// [c][hp][stride][wq] plus NR floats of slack (tiles read whole NR-wide rows). A 1x1
// stride-1 unpadded layer reads its input in place (workspace: the last tile, [c][NR]).
// Supports every geometry. A tile is NR pixels of one output row, so it wins on wide early
// layers with few input channels (where `packed` spends its time unfolding) and loses on
// planes narrower than NR.
#include <omp.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

#include "conv_packed.h"

namespace dn {
namespace {

// The padded, phase-split image: hp rows of `stride` phases of wq columns per channel,
// covering every input position any output pixel reads (zero outside the input).
struct Padded {
    int hp, wq;
    std::size_t channel() const { return std::size_t(hp) * row(); }
    std::size_t row() const { return std::size_t(stride) * wq; }
    int stride;
};

Padded padded_geometry(const ConvParams& p) {
    const int reach = (p.ksize - 1) * p.dilation;
    return {(p.out_h - 1) * p.stride + reach + 1, p.out_w + reach / p.stride, p.stride};
}

struct DirectPlan final : ConvPlan {
    const GemmKernel* kernel = nullptr;
    PackedWeights a;
    std::vector<std::ptrdiff_t> koff;  // [k]: tap (ci, ky, kx) of a group, from its channel 0
};

bool direct_supports(const ConvParams& p, const char** why_not) {
    if (p.out_h < 1 || p.out_w < 1) {
        *why_not = "output size unset (ConvParams::finish() not called or failed)";
        return false;
    }
    const Padded pd = padded_geometry(p);
    if (std::size_t(p.in_per_group()) * p.ksize * p.ksize > INT_MAX / 2 ||
        double(p.c) * pd.channel() > double(INT_MAX)) {
        *why_not = "padded image or GEMM dimension exceeds INT_MAX";
        return false;
    }
    return true;
}

// A 1x1 stride-1 unpadded layer's padded image is its input: B rows are read in place, and
// only the last, partial tile of each channel is copied (zero-padded to NR) so that no read
// runs past the input.
bool reads_in_place(const ConvParams& p) { return p.ksize == 1 && p.stride == 1 && p.pad == 0; }

std::size_t direct_workspace_bytes(const ConvParams& p) {
    if (reads_in_place(p)) return sizeof(float) * std::size_t(p.c) * kGemmMaxNr;
    return sizeof(float) * (std::size_t(p.c) * padded_geometry(p).channel() + kGemmMaxNr);
}

}  // namespace

std::unique_ptr<ConvPlan> direct_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel) {
    auto plan = std::make_unique<DirectPlan>();
    plan->kernel = &kernel;
    plan->a = pack_weights(p, weights, kernel.mr);
    const Padded pd = padded_geometry(p);
    const int k = p.ksize, d = p.dilation, s = p.stride;
    for (int ci = 0; ci < p.in_per_group(); ++ci)
        for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx)
                plan->koff.push_back(std::ptrdiff_t(ci) * pd.channel() + std::ptrdiff_t(ky * d) * pd.row() +
                                     std::ptrdiff_t(kx * d % s) * pd.wq + kx * d / s);
    return plan;
}

namespace {

std::unique_ptr<ConvPlan> direct_prepare(const ConvParams& p, const float* weights) {
    return direct_prepare_with(p, weights, gemm_kernel_default());
}

// One padded row: phase q, column j holds input column q + j*s - pad of input row iy (zero
// outside the input). The columns inside the input are one contiguous range of j.
void fill_row(const ConvParams& p, const Padded& pd, const float* in_row, float* dst) {
    const int s = pd.stride;
    for (int q = 0; q < s; ++q, dst += pd.wq) {
        if (!in_row) {
            std::fill(dst, dst + pd.wq, 0.0f);
            continue;
        }
        // j_lo: first j with q + j*s - pad >= 0; j_hi: first j with q + j*s - pad >= w.
        const int j_lo = std::clamp(p.pad - q > 0 ? (p.pad - q + s - 1) / s : 0, 0, pd.wq);
        const int j_hi = std::clamp(p.w + p.pad - q > 0 ? (p.w + p.pad - q + s - 1) / s : 0, j_lo, pd.wq);
        std::fill(dst, dst + j_lo, 0.0f);
        const float* src = in_row + q + j_lo * s - p.pad;
        if (s == 1)
            std::copy(src, src + (j_hi - j_lo), dst + j_lo);
        else
            for (int j = j_lo; j < j_hi; ++j) dst[j] = src[(j - j_lo) * s];
        std::fill(dst + j_hi, dst + pd.wq, 0.0f);
    }
}

void direct_forward(const ConvParams& p, const ConvPlan* plan_base, const float* in, const float*, float* out,
                    float* workspace, const ConvContext& ctx) {
    const auto& plan = static_cast<const DirectPlan&>(*plan_base);
    const GemmKernel& kern = *plan.kernel;
    const PackedWeights& pw = plan.a;
    const int mr = kern.mr, nr = kern.nr, m = p.out_per_group(), n = p.out_h * p.out_w;
    const int threads = std::max(1, ctx.threads);
    const Padded pd = padded_geometry(p);
    const std::size_t plane = std::size_t(p.h) * p.w;
    const ConvEpilogue* ep = ctx.epilogue;
    const bool in_place = reads_in_place(p);
    // Unaligned loads: a tile starts at any column anyway. In place, the [c][nr] stage ends
    // the [c][kGemmMaxNr] workspace.
    float* buf = in_place ? workspace + std::size_t(p.c) * (kGemmMaxNr - nr) : workspace;
    if (!in_place)
        std::fill(buf + std::size_t(p.c) * pd.channel(), buf + std::size_t(p.c) * pd.channel() + kGemmMaxNr, 0.0f);

    // Tiles: NR consecutive output pixels. With stride 1 the output is walked as the padded
    // image's flat index oy*wq + ox, so tiles run across row ends into the reach - 1 columns
    // that are not outputs (computed, then dropped) and small planes still fill every lane;
    // a tile inside one row is stored straight to the output, others through a staging tile.
    // With stride > 1 a row's pixels sit `stride` phase rows apart, so tiles stay in a row.
    const bool flat = p.stride == 1;
    const int tiles_x = ceil_div(p.out_w, nr);
    const int flat_len = (p.out_h - 1) * pd.wq + p.out_w;
    const int tiles = flat ? ceil_div(flat_len, nr) : p.out_h * tiles_x;
    // Tasks: row chunk x group x tile range, the row chunk slowest.
    const int want = 4 * threads;
    const int rc = std::clamp(ceil_div(want, p.groups), 1, tiles);
    const int ms = std::clamp(ceil_div(want, p.groups * rc), 1, pw.m_panels);
    const int tasks = ms * p.groups * rc;

    for (int b = 0; b < p.batch; ++b) {
        const float* image = in + std::size_t(b) * p.c * plane;
#pragma omp parallel num_threads(threads)
        {
            if (in_place) {
                // The last tile's columns of every channel, as one packed B panel [c][nr].
#pragma omp for schedule(static)
                for (int ci = 0; ci < p.c; ++ci) {
                    const int f0 = (tiles - 1) * nr, len = std::min(nr, n - f0);
                    const float* src = image + ci * plane + f0;
                    std::copy(src, src + len, buf + std::size_t(ci) * nr);
                    std::fill(buf + std::size_t(ci) * nr + len, buf + std::size_t(ci + 1) * nr, 0.0f);
                }
            }
#pragma omp for schedule(static)
            // Row-major over (row, channel): with the static schedule each thread copies the
            // band of rows its row chunks below read (and the previous layer's same split
            // wrote), so the copy stays in that core's cache.
            for (int r = 0; r < (in_place ? 0 : p.c * pd.hp); ++r) {
                const int ci = r % p.c, py = r / p.c, iy = py - p.pad;
                const float* in_row = iy >= 0 && iy < p.h ? image + ci * plane + std::size_t(iy) * p.w : nullptr;
                fill_row(p, pd, in_row, buf + (std::size_t(ci) * pd.hp + py) * pd.row());
            }
#pragma omp for schedule(static)
            for (int t = 0; t < tasks; ++t) {
                const int mi = t / (p.groups * rc), g = t % (p.groups * rc) / rc, ri = t % rc;
                const int t0 = int(std::int64_t(tiles) * ri / rc), t1 = int(std::int64_t(tiles) * (ri + 1) / rc);
                const int p0 = pw.m_panels * mi / ms, p1 = pw.m_panels * (mi + 1) / ms;
                const float* b_group = (in_place ? image : buf) + std::size_t(g) * p.in_per_group() * pd.channel();
                float* out_group = out + (std::size_t(b) * p.filters + std::size_t(g) * m) * n;
                alignas(64) float stage[kGemmMaxNr * kGemmMaxMr];
                for (int pi = p0; pi < p1; ++pi) {
                    const int rows = std::min(mr, m - pi * mr);
                    const float* bias = ep ? ep->bias + g * m + pi * mr : nullptr;
                    float* c_panel = out_group + std::size_t(pi) * mr * n;
                    // Bias and activation in the kernel's registers when it computes them.
                    const GemmTileOut fin0 = tile_epilogue(ep, bias);
                    const bool apply_after = ep && !fin0.bias;
                    for (int ti = t0; ti < t1; ++ti) {
                        GemmTileOut fin = fin0;
                        float* c;
                        std::size_t ldc = std::size_t(n);
                        const float* b_tile;
                        int oy = 0, ox = 0, cols = nr;
                        bool scatter = false;
                        if (!flat) {
                            oy = ti / tiles_x, ox = ti % tiles_x * nr, cols = std::min(nr, p.out_w - ox);
                            b_tile = b_group + std::size_t(oy) * p.stride * pd.row() + ox;
                            c = c_panel + std::size_t(oy) * p.out_w + ox;
                        } else {
                            const int f0 = ti * nr;
                            b_tile = b_group + f0;
                            oy = f0 / pd.wq, ox = f0 % pd.wq;
                            if (pd.wq == p.out_w) {  // no padding columns: the tile is contiguous
                                cols = std::min(nr, n - f0);
                                c = c_panel + f0;
                            } else if (ox + nr <= p.out_w) {
                                c = c_panel + std::size_t(oy) * p.out_w + ox;
                            } else {
                                // The tile spans row ends: its lanes over output pixels, row run by
                                // row run, are stored in place (lane j of the run of output row y
                                // holds pixel (y, x + j - lo)); too many runs go through `stage`.
                                c = c_panel;
                                int j = 0, y = oy, x = ox, runs = 0;
                                while (j < nr && y < p.out_h && !scatter) {
                                    if (x >= p.out_w) {
                                        j += pd.wq - x, x = 0, ++y;
                                    } else if (runs == kGemmMaxRuns) {
                                        scatter = true;
                                    } else {
                                        const int len = std::min(nr - j, p.out_w - x);
                                        fin.lo[runs] = j, fin.hi[runs] = j + len;
                                        fin.shift[runs++] = std::ptrdiff_t(y) * p.out_w + x - j;
                                        j += len, x += len;
                                    }
                                }
                                if (runs == 0) continue;  // padding columns only (reach > NR)
                                fin.runs = runs;
                                if (scatter) c = stage, ldc = nr, fin.runs = 0;
                            }
                        }
                        // The output of a forward pass ago is out of cache: ask for the next tile's
                        // output lines, for writing, while this tile computes.
                        if (ti + 1 < t1) {
                            std::size_t next;
                            if (flat) {
                                const int f1 = (ti + 1) * nr;
                                next = std::size_t(f1 / pd.wq) * p.out_w + std::min(f1 % pd.wq, p.out_w - 1);
                            } else {
                                next = std::size_t((ti + 1) / tiles_x) * p.out_w + (ti + 1) % tiles_x * nr;
                            }
                            for (int r = 0; r < rows; ++r) {
                                const float* line = c_panel + std::size_t(r) * n + next;
                                __builtin_prefetch(line, 1, 3);
                                __builtin_prefetch(line + nr - 1, 1, 3);
                            }
                        }
                        const bool packed_tail = in_place && ti == tiles - 1;
                        // Earlier K blocks store (and later accumulate) the same runs, unfinished.
                        GemmTileOut partial = fin;
                        partial.bias = nullptr;
                        for (int kb = 0; kb < pw.k_blocks; ++kb) {
                            const int k0 = kb * pw.kc, kl = std::min(pw.kc, pw.kdim - k0);
                            const bool last = kb + 1 == pw.k_blocks;
                            const GemmTileOut* o = scatter ? nullptr : last ? &fin : &partial;
                            if (packed_tail)
                                kern.run(kl, pw.panel(g, kb, pi), buf + (std::size_t(g) * pw.kdim + k0) * nr, c, ldc,
                                         rows, cols, kb > 0, o);
                            else
                                kern.run_indirect(kl, pw.panel(g, kb, pi), b_tile, plan.koff.data() + k0, c, ldc,
                                                  rows, cols, kb > 0, o);
                        }
                        if (!scatter) {
                            if (!apply_after) continue;
                            if (fin.runs == 0)
                                for (int r = 0; r < rows; ++r) ep->apply(c + r * ldc, cols, bias[r], ep->arg);
                            for (int i = 0; i < fin.runs; ++i)
                                for (int r = 0; r < rows; ++r)
                                    ep->apply(c + r * ldc + fin.shift[i] + fin.lo[i], fin.hi[i] - fin.lo[i], bias[r],
                                              ep->arg);
                            continue;
                        }
                        // Scatter the staged tile's output pixels, row run by row run.
                        for (int at = 0; at < nr && oy < p.out_h;) {
                            const int len = std::min(nr - at, p.out_w - ox);
                            if (len > 0) {
                                for (int r = 0; r < rows; ++r) {
                                    float* dst = c_panel + std::size_t(r) * n + std::size_t(oy) * p.out_w + ox;
                                    std::copy(stage + r * nr + at, stage + r * nr + at + len, dst);
                                    if (ep) ep->apply(dst, len, bias[r], ep->arg);
                                }
                            }
                            at += pd.wq - ox;  // on to the next output row
                            ox = 0;
                            ++oy;
                        }
                    }
                }
            }
        }
    }
}

// Measured on single-layer cfgs (bench -method direct,packed,winograd, methods alternating
// over rounds, per-round ratios; Xeon AVX-512, 1 thread), after the kernels took over bias,
// activation, row-spanning tiles and output prefetch:
// - k > 1 over up to 576 taps (3x3 over 64 channels) at any plane, e.g. 3x3 16->32 at
//   208x208: 5.8 vs packed 9.2 ms; 32->64 at 104x104: 3.6 vs 5.1; except the 3x3 stride-1
//   layers Winograd wins since its transforms became vector code (winograd_wins: from 48
//   channels, or 32 on planes up to 32x32; e.g. 64->128 at 52x52: Winograd 0.79x direct's
//   time, 32->64 at 104x104: 1.17-1.26x, so direct keeps it), and those winograd4 wins
//   (winograd4_wins: from 32 channels, with AVX-512 on planes over 14x14 and on 13x13 and
//   14x14 from 64 channels, and with AVX2 or the portable kernel also at 16 channels on
//   planes up to 64x64);
// - 1x1 read in place: every one, since the kernels prefetch B rows ahead within the tile
//   (direct / packed time at 1 and 2 threads: 0.55-0.65 on reduce layers such as 384->48 at
//   27x27, 0.57-0.71 on 256->64 at 14x14, 0.85-0.95 on 1024->256 at 13x13, 256->255 at
//   26x26 and SqueezeNet's expand layers, a tie on 512->1000 at 13x13).
bool direct_preferred(const ConvParams& p) {
    const int taps = p.in_per_group() * p.ksize * p.ksize;
    if (reads_in_place(p)) return true;
    if (p.ksize == 1 || winograd_wins(p) || winograd4_wins(p)) return false;
    return taps <= 576;
}

}  // namespace

extern const ConvBackend conv_direct = {
    // name
    "direct",
    // description
    "implicit GEMM on a padded copy of the input, no unfolding (AVX-512/AVX2/portable); wide early layers",
    // supports: every geometry whose padded image and GEMM sizes fit an int
    direct_supports,
    // workspace_bytes: the padded, phase-split image
    direct_workspace_bytes,
    // prepare: weights packed into MR-row panels, tap offsets
    direct_prepare,
    // forward
    direct_forward,
    // uses_blas
    false,
    // fuses_epilogue: bias and activation per finished tile
    true,
    // preferred: measured on Tiny-Darknet, SqueezeNet and YOLOv3-tiny (Xeon AVX-512): direct
    // beats packed where unfolding costs most, few input taps or small planes
    direct_preferred
};

}  // namespace dn
