#include "layers/maxpool_layer.h"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "aligned.h"
#include "gemm_kernels.h"
#include "isa_clones.h"

#if defined(__x86_64__) || defined(__i386__)
#define DN_X86 1
#include <immintrin.h>
#endif

namespace dn {

MaxpoolLayer::MaxpoolLayer(int batch_, Shape input, int size, int stride, int padding)
    : size_(size), stride_(stride), padding_(padding) {
    batch = batch_;
    in = input;
    out = {input.c, (input.h + padding - size) / stride + 1, (input.w + padding - size) / stride + 1};
}

std::string MaxpoolLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "max          %d x %d / %d  %4d x%4d x%4d   ->  %4d x%4d x%4d",
                  size_, size_, stride_, in.w, in.h, in.c, out.w, out.h, out.c);
    return buf;
}

namespace {

// One output row of one plane. Every output is upstream's
//     best = -FLT_MAX; for n, for m (window cells inside the input): best = v > best ? v : best
// with the cells visited in that (row, column) order, so NaNs are skipped and the first of
// equal values (+0 / -0) wins exactly as upstream. Only the loop nest differs: each window row
// is one pass over the output row, so the inner loop runs along j and vectorises (the
// comparison compiles to maxps, whose operand order is this ternary's). SIZE and STRIDE are
// compile-time for the common windows (0: take size/stride at run time).
template <int SIZE, int STRIDE>
void maxpool_row(const float* src, int h, int w, int i, int offset, int size_rt, int stride_rt,
                 float* dst, int out_w) {
    const int size = SIZE ? SIZE : size_rt, stride = STRIDE ? STRIDE : stride_rt;
    const int y0 = offset + i * stride;
    const int n_lo = std::max(0, -y0), n_hi = std::min(size, h - y0);
    // Columns whose whole window lies inside the input: offset + j*stride >= 0 and
    // offset + j*stride + size <= w.
    const int j_lo = std::min(out_w, offset >= 0 ? 0 : (-offset + stride - 1) / stride);
    const int j_hi = std::max(j_lo, std::min(out_w, w - size - offset >= 0 ? (w - size - offset) / stride + 1 : 0));
    for (int j = 0; j < out_w; ++j) dst[j] = -FLT_MAX;
    for (int n = n_lo; n < n_hi; ++n) {
        const float* row = src + std::size_t(y0 + n) * w;
        auto edge = [&](int j) {
            float best = dst[j];
            for (int m = 0; m < size; ++m) {
                const int xx = offset + j * stride + m;
                if (xx < 0 || xx >= w) continue;
                best = row[xx] > best ? row[xx] : best;
            }
            dst[j] = best;
        };
        for (int j = 0; j < j_lo; ++j) edge(j);
        const float* r = row + offset;
        for (int j = j_lo; j < j_hi; ++j) {
            float best = dst[j];
            for (int m = 0; m < size; ++m) {
                const float v = r[j * stride + m];
                best = v > best ? v : best;
            }
            dst[j] = best;
        }
        for (int j = j_hi; j < out_w; ++j) edge(j);
    }
}

// Stride-1 scratch (hbuf): rows of horizontal maxima `s1_pitch` floats wide (whole 16-float
// strips), then room for maxpool_s1_plane's output row and padded input row.
constexpr int kS1Lanes = 16;
inline std::size_t s1_pitch(int out_w) { return std::size_t(out_w + kS1Lanes - 1) / kS1Lanes * kS1Lanes; }
inline std::size_t s1_hbuf_floats(int h, int out_w, int size) {
    return s1_pitch(out_w) * (std::size_t(h) + 2) + std::size_t(size);
}

#ifdef DN_X86
// ---- Stride-2 windows of size 2 and 3: separable ------------------------------------------
//
// Each output is computed in two folds, both with upstream's `best = v > best ? v : best`:
// first along each window row (the horizontal max of that row's cells, starting at -FLT_MAX,
// cells outside the input skipped), then down the window's rows in order (starting at
// -FLT_MAX again). This gives the same bits as upstream's single row-major scan because the
// scan's result is "the first cell, in visiting order, of the largest non-NaN value class,
// or -FLT_MAX if no cell exceeds it": NaN never compares greater, and only a strictly
// greater value replaces best, so among equal values (+0 and -0) the first visited wins.
// The horizontal fold of a row returns the first largest cell of that row (never NaN, never
// below -FLT_MAX); the vertical fold then keeps the first row whose row-maximum is largest,
// and that row's first largest cell is the first largest cell of the window in row-major
// order. Folding columns first would give column-major ties, which is why rows go first.
// A window row's horizontal max is shared by the two output rows that overlap it (size 3),
// so it is computed once and carried. The outputs go in column strips of 16: a strip's
// horizontal max for one input row is one vector, and the strip walks down the plane.
// Without AVX-512 the per-row code above serves: a plain C++ version of this kernel (16-wide
// strips, GCC-vectorised) measured no faster than it, since GCC splits the stride-2 columns
// poorly.

constexpr int kStrip = 16;

// Lanes t of a 16-lane load at column x whose column x + t lies inside [0, w).
inline unsigned lanes_inside(int x, int w) {
    const int lo = std::min(std::max(-x, 0), kStrip), hi = std::min(std::max(w - x, 0), kStrip);
    return hi > lo ? ((1u << hi) - 1) & ~((1u << lo) - 1) : 0u;
}

// GCC 12's avx512fintrin.h fills the unused pass-through operand of _mm512_max_ps and
// _mm512_alignr_epi32 with the self-initialised _mm512_undefined_ps(), which trips
// -Wmaybe-uninitialized once inlined here; the value is never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The column at x of a row, as an address only (masked loads never touch masked-out lanes,
// which may lie before the row's start); integer arithmetic keeps it defined behaviour.
inline const float* column_address(const float* row, int x) {
    return reinterpret_cast<const float*>(reinterpret_cast<std::uintptr_t>(row) + std::intptr_t(x) * 4);
}

// AVX-512: a strip's 2*16 + 1 cells are three masked loads (-FLT_MAX outside the row), two
// permutes split them into the even and odd columns, and one lane shift gives the third
// column of each window. _mm512_max_ps(v, best) is `v > best ? v : best`, operands in order.
template <int SIZE>
__attribute__((target("avx512f"))) inline __m512 strip_row_avx512(const float* row, int x0, __mmask16 ma, __mmask16 mb,
                                                                  __mmask16 mc) {
    const __m512 lowest = _mm512_set1_ps(-FLT_MAX);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 a = _mm512_mask_loadu_ps(lowest, ma, column_address(row, x0));
    const __m512 b = _mm512_mask_loadu_ps(lowest, mb, column_address(row, x0 + 16));
    const __m512 e = _mm512_permutex2var_ps(a, even, b);
    __m512 best = _mm512_max_ps(e, lowest);
    best = _mm512_max_ps(_mm512_permutex2var_ps(a, odd, b), best);
    if (SIZE == 3) {
        const __m512 c = _mm512_mask_loadu_ps(lowest, mc, column_address(row, x0 + 32));
        best = _mm512_max_ps(_mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(c), _mm512_castps_si512(e), 1)),
                             best);
    }
    return best;
}

// One plane, output row by output row, so the input is read in address order (a walk down
// 16-wide column strips instead, one or two lines per input row at the row pitch, ran at a
// fifth of the L3's bandwidth on a 416 x 416 plane). Size 3: the horizontal maxima of an
// output row's last input row are the next output row's first, kept in `carry`.
template <int SIZE>
__attribute__((target("avx512f"))) void pool_s2_avx512(const float* src, int h, int w, int offset, float* dst,
                                                        int out_h, int out_w) {
    const __m512 lowest = _mm512_set1_ps(-FLT_MAX);
    const int strips = (out_w + kStrip - 1) / kStrip;
    // Masks per strip: the same for every row.
    constexpr int kMaxStack = 64;  // strips kept on the stack: planes up to 2048 columns out
    __mmask16 stack_masks[4 * kMaxStack];
    std::vector<__mmask16> heap_masks;
    __mmask16* masks = stack_masks;
    if (strips > kMaxStack) heap_masks.resize(4 * std::size_t(strips)), masks = heap_masks.data();
    for (int s = 0; s < strips; ++s) {
        const int j0 = s * kStrip, nb = std::min(kStrip, out_w - j0), x0 = offset + 2 * j0;
        masks[4 * s] = __mmask16(lanes_inside(x0, w));
        masks[4 * s + 1] = __mmask16(lanes_inside(x0 + 16, w));
        masks[4 * s + 2] = __mmask16(lanes_inside(x0 + 32, w) & 1u);
        masks[4 * s + 3] = __mmask16((1u << nb) - 1);
    }
    alignas(64) float stack_carry[SIZE == 3 ? kMaxStack * kStrip : 1];
    std::vector<float> heap_carry;
    float* carry = stack_carry;
    if (SIZE == 3 && strips > kMaxStack) heap_carry.resize(std::size_t(strips) * kStrip), carry = heap_carry.data();
    int carry_y = -1;
    for (int i = 0; i < out_h; ++i) {
        const int y0 = offset + 2 * i;
        const int n_lo = std::max(0, -y0), n_hi = std::min(SIZE, h - y0);
        float* out_row = dst + std::size_t(i) * out_w;
        for (int s = 0; s < strips; ++s) {
            const int x0 = offset + 2 * s * kStrip;
            const __mmask16 ma = masks[4 * s], mb = masks[4 * s + 1], mc = masks[4 * s + 2];
            __m512 best = lowest;
            for (int n = n_lo; n < n_hi; ++n) {
                const int y = y0 + n;
                const __m512 v = SIZE == 3 && y == carry_y
                                     ? _mm512_loadu_ps(carry + s * kStrip)
                                     : strip_row_avx512<SIZE>(src + std::size_t(y) * w, x0, ma, mb, mc);
                best = _mm512_max_ps(v, best);
                if (SIZE == 3 && n == 2) _mm512_storeu_ps(carry + s * kStrip, v);
            }
            _mm512_mask_storeu_ps(out_row + s * kStrip, masks[4 * s + 3], best);
        }
        if (SIZE == 3 && n_hi == 3) carry_y = y0 + 2;
    }
}

// Stride 1 on AVX-512: the separable folds of maxpool_s1_plane (below), 16 outputs a vector
// with masked loads (-FLT_MAX outside the row, which never replaces a fold's value), so a
// plane narrower than 16 is one vector a row rather than the compiler's scalar remainder.
__attribute__((target("avx512f"))) void pool_s1_avx512(const float* src, int h, int w, int offset, int size,
                                                        float* dst, int out_h, int out_w, float* hbuf) {
    const __m512 lowest = _mm512_set1_ps(-FLT_MAX);
    const std::size_t pitch = s1_pitch(out_w);
    const int strips = int(pitch / kStrip);
    for (int y = 0; y < h; ++y) {
        const float* row = src + std::size_t(y) * w;
        for (int s = 0; s < strips; ++s) {
            __m512 acc = lowest;
            for (int m = 0; m < size; ++m) {
                const int x = offset + s * kStrip + m;
                acc = _mm512_max_ps(_mm512_mask_loadu_ps(lowest, __mmask16(lanes_inside(x, w)), column_address(row, x)),
                                    acc);
            }
            _mm512_storeu_ps(hbuf + y * pitch + s * kStrip, acc);
        }
    }
    for (int i = 0; i < out_h; ++i) {
        const int n_lo = std::max(0, -(offset + i)), n_hi = std::min(size, h - (offset + i));
        for (int s = 0; s < strips; ++s) {
            __m512 best = lowest;
            for (int n = n_lo; n < n_hi; ++n)
                best = _mm512_max_ps(_mm512_loadu_ps(hbuf + (offset + i + n) * pitch + s * kStrip), best);
            const int nb = std::min(kStrip, out_w - s * kStrip);
            _mm512_mask_storeu_ps(dst + std::size_t(i) * out_w + s * kStrip, __mmask16((1u << nb) - 1), best);
        }
    }
}
#pragma GCC diagnostic pop
#endif

// ---- Stride 1, any window: separable ------------------------------------------------------
// The same two folds as the stride-2 kernel (and so the same bits as upstream's scan, by the
// argument above): first each input row's horizontal maxima, h[y][j] = the fold of
// row y's cells offset + j .. offset + j + size - 1 inside the input, into `hbuf`;
// then each output the fold of h[y][j] down its window's rows inside the input. A row's
// horizontal maxima serve all `size` output rows that overlap it. Each input row is first
// copied into a padded row (-FLT_MAX outside the input, which never replaces a fold's value),
// so the folds are plain loops with no edge cases that compilers vectorise for any ISA.
// hbuf: s1_hbuf_floats(h, out_w, size) floats.
inline void maxpool_s1_plane(const float* src, int h, int w, int offset, int size, float* dst, int out_h, int out_w,
                             float* hbuf) {
    // hbuf: h rows of horizontal maxima, one output row, the padded row; all `pitch` wide (a
    // multiple of 16), so the loops over j have no remainder (GCC's SLP vectoriser turned
    // fixed 16-lane blocks into scalar code; its loop vectoriser handles these).
    const int pitch = int(s1_pitch(out_w));
    const int padded = pitch + size - 1;  // padded row: column q holds input column q + offset
    float* best = hbuf + std::size_t(pitch) * h;
    float* prow = best + pitch;
    const int q_lo = std::clamp(-offset, 0, padded), q_hi = std::clamp(w - offset, q_lo, padded);
    std::fill(prow, prow + q_lo, -FLT_MAX);
    std::fill(prow + q_hi, prow + padded, -FLT_MAX);
    for (int y = 0; y < h; ++y) {
        const float* row = src + std::size_t(y) * w;
        std::copy(row + (q_lo + offset), row + (q_hi + offset), prow + q_lo);
        float* hr = hbuf + std::size_t(y) * pitch;
        for (int j = 0; j < pitch; ++j) hr[j] = -FLT_MAX;
        for (int m = 0; m < size; ++m) {
            const float* r = prow + m;
            for (int j = 0; j < pitch; ++j) hr[j] = r[j] > hr[j] ? r[j] : hr[j];
        }
    }
    for (int i = 0; i < out_h; ++i) {
        const int n_lo = std::max(0, -(offset + i)), n_hi = std::min(size, h - (offset + i));
        for (int j = 0; j < pitch; ++j) best[j] = -FLT_MAX;
        for (int n = n_lo; n < n_hi; ++n) {
            const float* hr = hbuf + std::size_t(offset + i + n) * pitch;
            for (int j = 0; j < pitch; ++j) best[j] = hr[j] > best[j] ? hr[j] : best[j];
        }
        std::copy(best, best + out_w, dst + std::size_t(i) * out_w);
    }
}
DN_CLONES(maxpool_s1_plane,
          (const float* src, int h, int w, int offset, int size, float* dst, int out_h, int out_w, float* hbuf),
          (src, h, w, offset, size, dst, out_h, out_w, hbuf))

// All output rows of one plane with maxpool_row, for any window; built per ISA
// (isa_clones.h): AVX2 runs the row loops 8 lanes wide where the baseline runs 4.
template <int SIZE, int STRIDE>
inline void rows_plane(const float* src, int h, int w, int offset, int size, int stride, float* dst, int out_h,
                       int out_w) {
    for (int i = 0; i < out_h; ++i)
        maxpool_row<SIZE, STRIDE>(src, h, w, i, offset, size, stride, dst + std::size_t(i) * out_w, out_w);
}
inline void maxpool_rows(const float* src, int h, int w, int offset, int size, int stride, float* dst, int out_h,
                         int out_w) {
    if (size == 2 && stride == 2) return rows_plane<2, 2>(src, h, w, offset, size, stride, dst, out_h, out_w);
    if (size == 2 && stride == 1) return rows_plane<2, 1>(src, h, w, offset, size, stride, dst, out_h, out_w);
    if (size == 3 && stride == 2) return rows_plane<3, 2>(src, h, w, offset, size, stride, dst, out_h, out_w);
    rows_plane<0, 0>(src, h, w, offset, size, stride, dst, out_h, out_w);
}
DN_CLONES(maxpool_rows,
          (const float* src, int h, int w, int offset, int size, int stride, float* dst, int out_h, int out_w),
          (src, h, w, offset, size, stride, dst, out_h, out_w))

using PlaneFn = void (*)(const float*, int, int, int, float*, int, int);

// The separable kernel for stride-2 windows of size 2 and 3, the fastest this CPU runs;
// null for the other windows.
std::atomic<bool> g_allow_simd{true};

// The ISA of the GEMM kernel in use (DARKNET_ISA), or the baseline when tests forbid SIMD.
Isa loop_isa() {
    return g_allow_simd.load(std::memory_order_relaxed) ? gemm_kernel_default().id : Isa::generic;
}

PlaneFn pick_plane(int size, int stride, Isa isa) {
    if (stride != 2 || (size != 2 && size != 3)) return nullptr;
#ifdef DN_X86
    if (isa == Isa::avx512) return size == 2 ? pool_s2_avx512<2> : pool_s2_avx512<3>;
#endif
    (void)isa;
    return nullptr;
}

}  // namespace

void maxpool_allow_simd(bool allow) { g_allow_simd.store(allow, std::memory_order_relaxed); }

void MaxpoolLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    const int offset = -padding_ / 2;
    float* y = mutable_output();
    const int planes = batch * in.c;
    const Isa isa = loop_isa();
    const PlaneFn plane = pick_plane(size_, stride_, isa);
    const auto rows = DN_PICK(maxpool_rows, isa);
    using S1Fn = void (*)(const float*, int, int, int, int, float*, int, int, float*);
    // Stride 1: the separable folds, except 2 x 2 without AVX-512, where maxpool_row's loops
    // with the window compiled in stay faster (13 x 13 x 512, 1 thread, Xeon: 0.14 vs 0.19 ms
    // at DARKNET_ISA=avx2; from size 3 the folds win, 0.31 vs 0.58 ms at 5 x 5, 0.62 vs 11.1
    // at 13 x 13; the AVX-512 kernel: 0.08, 0.12 and 0.28 ms).
    S1Fn s1 = stride_ == 1 && size_ > 2 ? DN_PICK(maxpool_s1_plane, isa) : nullptr;
#ifdef DN_X86
    if (stride_ == 1 && isa == Isa::avx512) s1 = pool_s1_avx512;
#endif
    const std::size_t hbuf_floats = s1_hbuf_floats(in.h, out.w, size_);
    // Planes are independent: the result does not depend on the thread count.
#pragma omp parallel for num_threads(ctx.threads) schedule(static) if (std::size_t(planes) * out.h * out.w >= 16384)
    for (int bc = 0; bc < planes; ++bc) {
        const float* src = input + std::size_t(bc) * in.h * in.w;
        float* dst = y + std::size_t(bc) * out.h * out.w;
        if (s1) {
            thread_local FloatBuffer hbuf;  // one plane's horizontal maxima
            if (hbuf.size() < hbuf_floats) hbuf.resize(hbuf_floats);
            s1(src, in.h, in.w, offset, size_, dst, out.h, out.w, hbuf.data());
            continue;
        }
        if (plane) {
            plane(src, in.h, in.w, offset, dst, out.h, out.w);
            continue;
        }
        rows(src, in.h, in.w, offset, size_, stride_, dst, out.h, out.w);
    }
}

}  // namespace dn
