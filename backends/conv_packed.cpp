// packed: convolution as our own register-blocked GEMM (gemm_kernels.h), no BLAS. Per image
// and group it computes out[f x hw] = W[f x (c/g)k^2] * col[(c/g)k^2 x hw] like im2col, but
// never builds the col matrix: each task unfolds just the block of columns it multiplies
// next, straight into NR-wide B panels (im2col fused into the packing), and W is packed into
// MR-row A panels once, at load. Bias and activation are applied to each finished tile.
// Layouts: input NCHW; weights [filters][c/groups][k][k]; plan: per group and K block, the
// MR-row panels [k][MR]; workspace: one B block [KC x NC] per thread.
// Supports every geometry. Wins where BLAS pays for unfolding, threading and packing at
// every call: small and mid-size layers, which is most of a CPU-sized network.
#include "conv_packed.h"

#include <omp.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>

#include "conv_index.h"

namespace dn {
namespace {

// One B block is about 256 KB: a quarter of a small L2 (1 MB), shared with the A panels.
constexpr std::size_t kBBlockFloats = 64 * 1024;
// Workspace slots are one B block each; threads beyond the slots are not used (the result
// does not depend on the thread count, so this only caps oversubscription).
constexpr int kMaxSlots = 64;
constexpr std::size_t kAlign = 64;

struct Blocking {
    int kdim;      // rows of the col matrix: (c/groups) * k * k
    int kc;        // rows per K block
    int k_blocks;  // ceil(kdim / kc)
    int nc_max;    // columns per B block (a multiple of kGemmMaxNr)
};

Blocking blocking(const ConvParams& p) {
    Blocking b;
    b.kdim = p.in_per_group() * p.ksize * p.ksize;
    b.k_blocks = ceil_div(b.kdim, kGemmKcMax);
    b.kc = ceil_div(b.kdim, b.k_blocks);
    int nc = int(kBBlockFloats / b.kc) / kGemmMaxNr * kGemmMaxNr;
    b.nc_max = std::clamp(nc, kGemmMaxNr, 4096);
    return b;
}

int workspace_slots() { return std::clamp(omp_get_num_procs(), 1, kMaxSlots); }

// A column block holds at most nc_max columns plus one panel (blocks are whole panels).
std::size_t slot_floats(const Blocking& b) {
    return std::size_t(b.kc) * (b.nc_max + kGemmMaxNr) + kAlign / sizeof(float);
}

struct PackedPlan final : ConvPlan {
    const GemmKernel* kernel = nullptr;
    Blocking blk{};
    PackedWeights a;
};

bool packed_supports(const ConvParams& p, const char** why_not) {
    if (p.out_h < 1 || p.out_w < 1) {
        *why_not = "output size unset (ConvParams::finish() not called or failed)";
        return false;
    }
    if (std::size_t(p.in_per_group()) * p.ksize * p.ksize > INT_MAX / 2 ||
        std::size_t(p.out_h) * p.out_w > INT_MAX / 2) {
        *why_not = "GEMM dimension exceeds INT_MAX / 2";
        return false;
    }
    return true;
}

std::size_t packed_workspace_bytes(const ConvParams& p) {
    return sizeof(float) * slot_floats(blocking(p)) * workspace_slots();
}

// The unfold geometry: a 1x1 stride-1 unpadded layer reads its input as one long row, so
// every B panel is one contiguous copy per k.
struct Unfold {
    int h, w, out_w, stride, pad, dilation, ksize;
};

Unfold unfold_geometry(const ConvParams& p) {
    if (p.ksize == 1 && p.stride == 1 && p.pad == 0) {
        const int n = p.out_h * p.out_w;
        return {1, n, n, 1, 0, 1, 1};
    }
    return {p.h, p.w, p.out_w, p.stride, p.pad, p.dilation, p.ksize};
}

// One run of consecutive output pixels inside one output row: B panel columns
// [at, at + len) are pixels (oy, ox .. ox + len - 1).
struct Segment {
    int at, oy, ox, len;
};

// Unfolds rows [k0, k0 + kl) x columns [n0, n0 + nl) of one group's col matrix into
// NR-wide panels: panel j holds columns n0 + j*NR .. as [kl][NR], zero past nl.
void pack_b(const Unfold& u, const float* in_group, std::size_t plane, int k0, int kl, int n0, int nl, int nr,
            float* dst) {
    const int kk2 = u.ksize * u.ksize;
    Segment segs[kGemmMaxNr + 1];
    for (int j0 = 0; j0 < nl; j0 += nr, dst += std::size_t(kl) * nr) {
        const int cols = std::min(nr, nl - j0);
        int nseg = 0;
        for (int t = 0, col = n0 + j0; t < cols;) {
            const int oy = col / u.out_w, ox = col % u.out_w, len = std::min(u.out_w - ox, cols - t);
            segs[nseg++] = {t, oy, ox, len};
            t += len;
            col += len;
        }
        int ci = k0 / kk2, ky = k0 / u.ksize % u.ksize, kx = k0 % u.ksize;
        for (int kk = 0; kk < kl; ++kk) {
            float* row = dst + std::size_t(kk) * nr;
            const float* src = in_group + std::size_t(ci) * plane;
            const int iy0 = ky * u.dilation - u.pad, ix0 = kx * u.dilation - u.pad;
            for (int si = 0; si < nseg; ++si) {
                const Segment& sg = segs[si];
                float* o = row + sg.at;
                const int iy = sg.oy * u.stride + iy0;
                if (iy < 0 || iy >= u.h) {
                    for (int i = 0; i < sg.len; ++i) o[i] = 0.0f;
                    continue;
                }
                const int ix = sg.ox * u.stride + ix0;
                const IndexRange r = inside_range(ix, u.stride, sg.len, u.w);
                const float* s = src + std::size_t(iy) * u.w + ix;
                for (int i = 0; i < r.lo; ++i) o[i] = 0.0f;
                if (u.stride == 1)
                    for (int i = r.lo; i < r.hi; ++i) o[i] = s[i];
                else
                    for (int i = r.lo; i < r.hi; ++i) o[i] = s[std::size_t(i) * u.stride];
                for (int i = r.hi; i < sg.len; ++i) o[i] = 0.0f;
            }
            for (int i = cols; i < nr; ++i) row[i] = 0.0f;
            if (++kx == u.ksize) {
                kx = 0;
                if (++ky == u.ksize) ky = 0, ++ci;
            }
        }
    }
}

void packed_forward(const ConvParams& p, const ConvPlan* plan_base, const float* in, const float*, float* out,
                    float* workspace, const ConvContext& ctx) {
    const auto& plan = static_cast<const PackedPlan&>(*plan_base);
    const GemmKernel& kern = *plan.kernel;
    const Blocking& blk = plan.blk;
    const int mr = kern.mr, nr = kern.nr;
    const int m = p.out_per_group(), n = p.out_h * p.out_w, kdim = blk.kdim;
    const int threads = std::max(1, std::min(ctx.threads, workspace_slots()));
    const Unfold u = unfold_geometry(p);
    const std::size_t plane = std::size_t(p.h) * p.w;
    const ConvEpilogue* ep = ctx.epilogue;

    // Tasks: row chunk x (image, group) x column block, the row chunk slowest, so that with a
    // static schedule each thread gets whole column ranges. Aim for two tasks per thread:
    // large planes are split by columns (in whole panels, a multiple of the thread count
    // of blocks so the threads get equal shares); small planes keep one column block and
    // split the filters instead, each thread packing the same (small) B block.
    const int bg = p.batch * p.groups, want = 2 * threads;
    const int np = ceil_div(n, nr);
    int nb = ceil_div(n, blk.nc_max), ms = 1;
    if (bg < want) {
        if (np >= 4 * threads)
            nb = std::min(np, ceil_div(std::max(nb, ceil_div(want, bg)), threads) * threads);
        else
            ms = std::clamp(ceil_div(want, bg * nb), 1, plan.a.m_panels);
    }
    const int tasks = ms * bg * nb;
    const std::size_t slot = slot_floats(blk);

#pragma omp parallel for schedule(static) num_threads(threads)
    for (int t = 0; t < tasks; ++t) {
        const int mi = t / (bg * nb), gi = t % (bg * nb) / nb, bi = t % nb;
        const int b = gi / p.groups, g = gi % p.groups;
        const int n0 = np * bi / nb * nr, nl = std::min(n, np * (bi + 1) / nb * nr) - n0;
        const int p0 = plan.a.m_panels * mi / ms, p1 = plan.a.m_panels * (mi + 1) / ms;
        if (p0 == p1 || nl <= 0) continue;
        float* bbuf = workspace + slot * omp_get_thread_num();
        bbuf += (kAlign - reinterpret_cast<std::uintptr_t>(bbuf) % kAlign) % kAlign / sizeof(float);
        const float* in_group = in + (std::size_t(b) * p.c + std::size_t(g) * p.in_per_group()) * plane;
        float* out_group = out + (std::size_t(b) * p.filters + std::size_t(g) * m) * n;
        for (int kb = 0; kb < blk.k_blocks; ++kb) {
            const int k0 = kb * blk.kc, kl = std::min(blk.kc, kdim - k0);
            pack_b(u, in_group, plane, k0, kl, n0, nl, nr, bbuf);
            // The A panel (KC x MR) stays in L1 while the block's B panels stream past it
            // from L2 (measured faster than keeping a B panel in L1 and streaming A).
            const bool last = kb + 1 == blk.k_blocks;
            for (int pi = p0; pi < p1; ++pi) {
                const float* a = plan.a.panel(g, kb, pi);
                const int rows = std::min(mr, m - pi * mr);
                float* c = out_group + std::size_t(pi) * mr * n + n0;
                // The finished tile gets bias and activation in registers, or else through
                // apply() while it is still in L1.
                const GemmTileOut fin = tile_epilogue(ep, ep ? ep->bias + g * m + pi * mr : nullptr);
                const bool in_kernel = last && fin.bias, after = last && ep && !fin.bias;
                for (int j0 = 0; j0 < nl; j0 += nr) {
                    const int cols = std::min(nr, nl - j0);
                    if (j0 + nr < nl)  // the next tile's output lines, for writing (as in direct)
                        for (int r = 0; r < rows; ++r) {
                            __builtin_prefetch(c + std::size_t(r) * n + j0 + nr, 1, 3);
                            __builtin_prefetch(c + std::size_t(r) * n + j0 + 2 * nr - 1, 1, 3);
                        }
                    kern.run(kl, a, bbuf + std::size_t(j0) * kl, c + j0, n, rows, cols, kb > 0, in_kernel ? &fin : nullptr);
                    if (after)
                        for (int r = 0; r < rows; ++r)
                            ep->apply(c + std::size_t(r) * n + j0, cols, ep->bias[g * m + pi * mr + r], ep->arg);
                }
            }
        }
    }
}

std::unique_ptr<ConvPlan> packed_prepare(const ConvParams& p, const float* weights) {
    return packed_prepare_with(p, weights, gemm_kernel_default());
}

}  // namespace

PackedWeights pack_weights(const ConvParams& p, const float* weights, int mr) {
    PackedWeights pw;
    pw.mr = mr;
    pw.kdim = p.in_per_group() * p.ksize * p.ksize;
    pw.k_blocks = ceil_div(pw.kdim, kGemmKcMax);
    pw.kc = ceil_div(pw.kdim, pw.k_blocks);
    const int m = p.out_per_group();
    pw.m_panels = ceil_div(m, mr);
    const std::size_t mp = std::size_t(pw.m_panels) * mr;
    pw.a.assign(std::size_t(p.groups) * mp * pw.kdim, 0.0f);
    for (int g = 0; g < p.groups; ++g)
        for (int kb = 0; kb < pw.k_blocks; ++kb) {
            const int k0 = kb * pw.kc, kl = std::min(pw.kc, pw.kdim - k0);
            for (int f = 0; f < m; ++f) {
                float* panel = pw.a.data() + pw.offset(g, kb, f / mr);
                const float* w = weights + (std::size_t(g) * m + f) * pw.kdim + k0;
                for (int k = 0; k < kl; ++k) panel[std::size_t(k) * mr + f % mr] = w[k];
            }
        }
    return pw;
}

std::unique_ptr<ConvPlan> packed_prepare_with(const ConvParams& p, const float* weights, const GemmKernel& kernel) {
    auto plan = std::make_unique<PackedPlan>();
    plan->kernel = &kernel;
    plan->blk = blocking(p);
    plan->a = pack_weights(p, weights, kernel.mr);
    return plan;
}

extern const ConvBackend conv_packed = {
    // name
    "packed",
    // description
    "own register-blocked GEMM (AVX-512/AVX2/portable), im2col fused into packing, weights packed at load",
    // supports: every geometry whose GEMM sizes fit an int
    packed_supports,
    // workspace_bytes: one B block per thread slot
    packed_workspace_bytes,
    // prepare: weights packed into MR-row panels for the default kernel
    packed_prepare,
    // forward
    packed_forward,
    // uses_blas
    false,
    // fuses_epilogue: bias and activation per finished tile
    true,
    // preferred
    nullptr
};

}  // namespace dn
