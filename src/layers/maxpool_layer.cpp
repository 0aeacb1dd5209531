#include "layers/maxpool_layer.h"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cstdint>
#include <cstdio>

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

// One plane: strips of 16 outputs, each walking down the rows with the shared row carried.
template <int SIZE>
__attribute__((target("avx512f"))) void pool_s2_avx512(const float* src, int h, int w, int offset, float* dst,
                                                        int out_h, int out_w) {
    const __m512 lowest = _mm512_set1_ps(-FLT_MAX);
    for (int j0 = 0; j0 < out_w; j0 += kStrip) {
        const int nb = std::min(kStrip, out_w - j0), x0 = offset + 2 * j0;
        const __mmask16 ma = __mmask16(lanes_inside(x0, w)), mb = __mmask16(lanes_inside(x0 + 16, w)),
                        mc = __mmask16(lanes_inside(x0 + 32, w) & 1u), store = __mmask16((1u << nb) - 1);
        __m512 carry = lowest;
        int carry_y = -1;
        for (int i = 0; i < out_h; ++i) {
            const int y0 = offset + 2 * i;
            __m512 best = lowest;
            for (int n = 0; n < SIZE; ++n) {
                const int y = y0 + n;
                if (y < 0 || y >= h) continue;
                const __m512 v = y == carry_y ? carry : strip_row_avx512<SIZE>(src + std::size_t(y) * w, x0, ma, mb, mc);
                best = _mm512_max_ps(v, best);
                if (SIZE == 3 && n == 2) {
                    carry = v;
                    carry_y = y;
                }
            }
            _mm512_mask_storeu_ps(dst + std::size_t(i) * out_w + j0, store, best);
        }
    }
}
#pragma GCC diagnostic pop
#endif

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
    if (size == 3 && stride == 1) return rows_plane<3, 1>(src, h, w, offset, size, stride, dst, out_h, out_w);
    if (size == 3 && stride == 2) return rows_plane<3, 2>(src, h, w, offset, size, stride, dst, out_h, out_w);
    if (size == 5 && stride == 1) return rows_plane<5, 1>(src, h, w, offset, size, stride, dst, out_h, out_w);
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
    // Planes are independent: the result does not depend on the thread count.
#pragma omp parallel for num_threads(ctx.threads) schedule(static) if (std::size_t(planes) * out.h * out.w >= 16384)
    for (int bc = 0; bc < planes; ++bc) {
        const float* src = input + std::size_t(bc) * in.h * in.w;
        float* dst = y + std::size_t(bc) * out.h * out.w;
        if (plane) {
            plane(src, in.h, in.w, offset, dst, out.h, out.w);
            continue;
        }
        rows(src, in.h, in.w, offset, size_, stride_, dst, out.h, out.w);
    }
}

}  // namespace dn
