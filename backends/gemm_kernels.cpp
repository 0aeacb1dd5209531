// The f32 GEMM microkernels of gemm_kernels.h. Each kernel keeps its MR x NR tile of C in
// registers for the whole k loop: per k it loads NR values of B (vectors) and broadcasts MR
// values of A. A tile with fewer rows than MR runs an instantiation with exactly that many
// rows (no wasted FMAs); fewer columns than NR are handled with masked (AVX-512) or staged
// (AVX2, generic) loads and stores of C.
// Tiles: AVX-512 12x32 (24 zmm accumulators + 2 B + 1 broadcast of 32 registers),
// AVX2 6x16 (12 ymm accumulators + 2 B + 1 broadcast of 16), generic 4x16 (plain loops
// that compilers vectorise for SSE, AVX or NEON; std::fma where the target defines
// FP_FAST_FMAF, since the build turns the compiler's own contraction off).
#include "gemm_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "../src/leaky.h"
#include "../src/log.h"

#if defined(__x86_64__) || defined(__i386__)
#define DN_X86 1
#include <immintrin.h>
#endif

namespace dn {
namespace {

// The column runs of a tile: one run [0, cols) at shift 0 unless `out` gives its own.
struct Runs {
    int n = 1;
    int lo[kGemmMaxRuns] = {0}, hi[kGemmMaxRuns] = {0};
    std::ptrdiff_t shift[kGemmMaxRuns] = {0};
};
inline Runs runs_of(const GemmTileOut* out, int cols) {
    Runs u;
    if (out && out->runs > 0) {
        u.n = out->runs;
        for (int i = 0; i < u.n; ++i) u.lo[i] = out->lo[i], u.hi[i] = out->hi[i], u.shift[i] = out->shift[i];
    } else {
        u.hi[0] = cols;
    }
    return u;
}

// The activations of GemmAct on one value, as dn::bias_activate_row computes them.
inline float activate_scalar(float v, GemmAct act) {
    if (act == GemmAct::relu) return v > 0 ? v : 0.f;
    if (act == GemmAct::leaky) {
#ifdef FP_FAST_FMAF  // fma is an instruction (AArch64, ARMv7 VFPv4): leaky.h's float form
        return leaky_fma(v);
#else
        return leaky_double(v);
#endif
    }
    if (act == GemmAct::leaky_float) {
        const float neg = .1f * v;
        return v > neg ? v : neg;
    }
    return v;
}

// Finishes a rows x NR staging tile t (the sums) into C: adds C's old values when
// accumulating, then bias and activation, then stores the runs.
template <int NR>
void finish_tile(float* t, float* c, std::size_t ldc, int rows, int cols, bool accumulate, const GemmTileOut* out) {
    const Runs u = runs_of(out, cols);
    for (int r = 0; r < rows; ++r, t += NR, c += ldc)
        for (int i = 0; i < u.n; ++i) {
            float* dst = c + u.shift[i];
            for (int j = u.lo[i]; j < u.hi[i]; ++j) {
                float v = accumulate ? t[j] + dst[j] : t[j];
                if (out && out->bias) v = activate_scalar(v + out->bias[r], out->act);
                dst[j] = v;
            }
        }
}

// B rows: a packed panel (row k at b + k*NR) or rows anywhere (row k at b + off[k], the
// direct convolution's view of a padded input). The kernels are written once over both.
template <int NR>
struct PackedRows {
    const float* b;
    const float* row(int k) const { return b + std::size_t(k) * NR; }
};
struct OffsetRows {
    const float* b;
    const std::ptrdiff_t* off;
    const float* row(int k) const { return b + off[k]; }
};

// ---- portable -----------------------------------------------------------------------------
#if defined(__GNUC__) && !defined(FP_FAST_FMAF)
// Without FMA (the x86-64 baseline), in GCC/Clang vector types of 4 floats, which both lower to
// the target's 128-bit SIMD or to scalar code. The tile goes in strips of 8 columns, two
// vectors a row: 2R accumulators, 2 B vectors and a broadcast fit SSE's 16 registers. (The
// loops over t[R][NR] below, left to GCC 12's vectoriser, kept partial sums in general
// registers and on the stack, a dozen moves and shuffles per multiply: 3x3 direct 16->64 at
// 55x55 took 27x the AVX2 kernel's time.) Each element's sum is the same: +0, then each
// product added in k order, unfused.
using V4 = float __attribute__((vector_size(16)));
template <int R, int MR, int NR, class Rows>
void gemm_rows_generic(int kc, const float* a, Rows b, float* c, std::size_t ldc, int cols, bool accumulate,
                       const GemmTileOut* out) {
    static_assert(NR % 8 == 0, "strips of 8 columns");
    alignas(16) float t[R][NR] = {};
    const Runs u = runs_of(out, cols);
    const int used = u.hi[u.n - 1];  // columns past the last run are never stored
    for (int j0 = 0; j0 < NR && j0 < used; j0 += 8) {
        V4 lo[R], hi[R];
        for (int r = 0; r < R; ++r) lo[r] = hi[r] = V4{0.f, 0.f, 0.f, 0.f};
        const float* ak = a;
        for (int k = 0; k < kc; ++k, ak += MR) {
            const float* bk = b.row(k) + j0;
            V4 b0, b1;
            std::memcpy(&b0, bk, sizeof b0);
            std::memcpy(&b1, bk + 4, sizeof b1);
            for (int r = 0; r < R; ++r) {
                const V4 ar = {ak[r], ak[r], ak[r], ak[r]};
                lo[r] += ar * b0;
                hi[r] += ar * b1;
            }
        }
        for (int r = 0; r < R; ++r) {
            std::memcpy(&t[r][j0], &lo[r], sizeof lo[r]);
            std::memcpy(&t[r][j0 + 4], &hi[r], sizeof hi[r]);
        }
    }
    finish_tile<NR>(&t[0][0], c, ldc, R, cols, accumulate, out);
}
#else
template <int R, int MR, int NR, class Rows>
void gemm_rows_generic(int kc, const float* a, Rows b, float* c, std::size_t ldc, int cols, bool accumulate,
                       const GemmTileOut* out) {
    float t[R][NR] = {};
    for (int k = 0; k < kc; ++k, a += MR) {
        const float* bk = b.row(k);
        for (int r = 0; r < R; ++r) {
            const float ar = a[r];
#ifdef FP_FAST_FMAF  // fused where FMA is the fast path (AArch64, ARMv7 VFPv4, -march with FMA)
            for (int j = 0; j < NR; ++j) t[r][j] = std::fma(ar, bk[j], t[r][j]);
#else  // the x86-64 baseline: no FMA instruction
            for (int j = 0; j < NR; ++j) t[r][j] += ar * bk[j];
#endif
        }
    }
    finish_tile<NR>(&t[0][0], c, ldc, R, cols, accumulate, out);
}
#endif

template <class Rows>
void gemm_4x16_generic(int kc, const float* a, Rows b, float* c, std::size_t ldc, int rows, int cols,
                       bool accumulate, const GemmTileOut* out) {
    switch (rows) {
        case 1: return gemm_rows_generic<1, 4, 16>(kc, a, b, c, ldc, cols, accumulate, out);
        case 2: return gemm_rows_generic<2, 4, 16>(kc, a, b, c, ldc, cols, accumulate, out);
        case 3: return gemm_rows_generic<3, 4, 16>(kc, a, b, c, ldc, cols, accumulate, out);
        default: return gemm_rows_generic<4, 4, 16>(kc, a, b, c, ldc, cols, accumulate, out);
    }
}

void f32_gemm_4x16_generic(int kc, const float* a, const float* b, float* c, std::size_t ldc, int rows,
                           int cols, bool accumulate, const GemmTileOut* out) {
    gemm_4x16_generic(kc, a, PackedRows<16>{b}, c, ldc, rows, cols, accumulate, out);
}
void f32_igemm_4x16_generic(int kc, const float* a, const float* b, const std::ptrdiff_t* off, float* c,
                            std::size_t ldc, int rows, int cols, bool accumulate, const GemmTileOut* out) {
    gemm_4x16_generic(kc, a, OffsetRows{b, off}, c, ldc, rows, cols, accumulate, out);
}

#ifdef DN_X86
// ---- AVX2 + FMA: 6x16 ---------------------------------------------------------------------
// Bias and activation of GemmTileOut on 8 sums, in the arithmetic of activate_scalar.
__attribute__((target("avx2,fma"))) inline __m256 bias_act_avx2(__m256 v, __m256 bias, GemmAct act) {
    v = _mm256_add_ps(v, bias);
    if (act == GemmAct::relu) return _mm256_max_ps(v, _mm256_setzero_ps());  // v > 0 ? v : 0
    if (act == GemmAct::leaky) return leaky_avx2(v);  // leaky.h: the double product's bits
    if (act == GemmAct::leaky_float) return _mm256_max_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(.1f)));
    return v;
}

template <int R, class Rows>
__attribute__((target("avx2,fma"))) void gemm_rows_avx2(int kc, const float* a, Rows b, float* c,
                                                         std::size_t ldc, int cols, bool accumulate,
                                                         const GemmTileOut* out) {
    constexpr int MR = 6, NR = 16;
    __m256 c0[R], c1[R];
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm256_setzero_ps();
    for (int k = 0; k < kc; ++k, a += MR) {
        const float* bk = b.row(k);
        if constexpr (std::is_same_v<Rows, OffsetRows>) {
            if (k + 8 < kc) {  // as in the AVX-512 kernel: the B row 8 steps ahead
                const float* bn = b.row(k + 8);
                _mm_prefetch(reinterpret_cast<const char*>(bn), _MM_HINT_T0);
                _mm_prefetch(reinterpret_cast<const char*>(bn + 15), _MM_HINT_T0);
            }
        }
        const __m256 b0 = _mm256_loadu_ps(bk), b1 = _mm256_loadu_ps(bk + 8);
#pragma GCC unroll 12
        for (int r = 0; r < R; ++r) {
            const __m256 ar = _mm256_broadcast_ss(a + r);
            c0[r] = _mm256_fmadd_ps(ar, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(ar, b1, c1[r]);
        }
    }
    if (cols == NR && !(out && out->runs)) {
#pragma GCC unroll 12
        for (int r = 0; r < R; ++r) {
            float* cr = c + r * ldc;
            if (accumulate) {
                c0[r] = _mm256_add_ps(c0[r], _mm256_loadu_ps(cr));
                c1[r] = _mm256_add_ps(c1[r], _mm256_loadu_ps(cr + 8));
            }
            if (out && out->bias) {
                const __m256 br = _mm256_set1_ps(out->bias[r]);
                c0[r] = bias_act_avx2(c0[r], br, out->act);
                c1[r] = bias_act_avx2(c1[r], br, out->act);
            }
            _mm256_storeu_ps(cr, c0[r]);
            _mm256_storeu_ps(cr + 8, c1[r]);
        }
        return;
    }
    // Fewer columns, or runs across row ends: the same arithmetic on whole registers (the old
    // values of C gathered into a staging tile first), then each run copied out. No masked
    // loads or stores: AMD allows VMASKMOV to fault on the lanes it leaves alone, and lanes
    // outside the runs may lie outside C.
    const Runs u = runs_of(out, cols);
    alignas(32) float old[R * NR];
    if (accumulate) {
        std::fill(old, old + R * NR, 0.f);
        for (int i = 0; i < u.n; ++i)
            for (int r = 0; r < R; ++r) {
                const float* src = c + r * ldc + u.shift[i];
                std::copy(src + u.lo[i], src + u.hi[i], old + r * NR + u.lo[i]);
            }
    }
    alignas(32) float t[R * NR];
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
        if (accumulate) {
            c0[r] = _mm256_add_ps(c0[r], _mm256_load_ps(old + r * NR));
            c1[r] = _mm256_add_ps(c1[r], _mm256_load_ps(old + r * NR + 8));
        }
        if (out && out->bias) {
            const __m256 br = _mm256_set1_ps(out->bias[r]);
            c0[r] = bias_act_avx2(c0[r], br, out->act);
            c1[r] = bias_act_avx2(c1[r], br, out->act);
        }
        _mm256_store_ps(t + r * NR, c0[r]);
        _mm256_store_ps(t + r * NR + 8, c1[r]);
    }
    for (int i = 0; i < u.n; ++i)
        for (int r = 0; r < R; ++r) {
            float* dst = c + r * ldc + u.shift[i];
            std::copy(t + r * NR + u.lo[i], t + r * NR + u.hi[i], dst + u.lo[i]);
        }
}

template <class Rows>
__attribute__((target("avx2,fma"))) void gemm_6x16_avx2(int kc, const float* a, Rows b, float* c, std::size_t ldc,
                                                         int rows, int cols, bool accumulate, const GemmTileOut* out) {
    switch (rows) {
        case 1: return gemm_rows_avx2<1>(kc, a, b, c, ldc, cols, accumulate, out);
        case 2: return gemm_rows_avx2<2>(kc, a, b, c, ldc, cols, accumulate, out);
        case 3: return gemm_rows_avx2<3>(kc, a, b, c, ldc, cols, accumulate, out);
        case 4: return gemm_rows_avx2<4>(kc, a, b, c, ldc, cols, accumulate, out);
        case 5: return gemm_rows_avx2<5>(kc, a, b, c, ldc, cols, accumulate, out);
        default: return gemm_rows_avx2<6>(kc, a, b, c, ldc, cols, accumulate, out);
    }
}

__attribute__((target("avx2,fma"))) void f32_gemm_6x16_avx2(int kc, const float* a, const float* b, float* c,
                                                            std::size_t ldc, int rows, int cols,
                                                            bool accumulate, const GemmTileOut* out) {
    gemm_6x16_avx2(kc, a, PackedRows<16>{b}, c, ldc, rows, cols, accumulate, out);
}
__attribute__((target("avx2,fma"))) void f32_igemm_6x16_avx2(int kc, const float* a, const float* b,
                                                             const std::ptrdiff_t* off, float* c, std::size_t ldc,
                                                             int rows, int cols, bool accumulate,
                                                             const GemmTileOut* out) {
    gemm_6x16_avx2(kc, a, OffsetRows{b, off}, c, ldc, rows, cols, accumulate, out);
}

// ---- AVX-512: 12x32 -----------------------------------------------------------------------
// GCC 12 reports the _mm512_undefined_* inside the conversion intrinsics (leaky.h's double
// product, inlined here) as uninitialised.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Bias and activation of GemmTileOut on 16 sums, in the arithmetic of activate_scalar.
__attribute__((target("avx512f"))) inline __m512 bias_act_avx512(__m512 v, __m512 bias, GemmAct act) {
    v = _mm512_add_ps(v, bias);
    if (act == GemmAct::relu) return _mm512_max_ps(v, _mm512_setzero_ps());  // v > 0 ? v : 0
    if (act == GemmAct::leaky) return leaky_avx512(v);  // leaky.h: the double product's bits
    if (act == GemmAct::leaky_float) return _mm512_max_ps(v, _mm512_mul_ps(v, _mm512_set1_ps(.1f)));
    return v;
}

// HALF: every lane the tile stores lies in its first 16 columns (a row's or a plane's last,
// narrow tile), so only the first zmm of each row is computed: half the FMAs, the same sums.
template <int R, bool HALF, class Rows>
__attribute__((target("avx512f"))) void gemm_rows_avx512_impl(int kc, const float* a, Rows b, float* c,
                                                               std::size_t ldc, const Runs& u, bool accumulate,
                                                               const GemmTileOut* out) {
    constexpr int MR = 12;  // NR = 32: two zmm per row
    __m512 c0[R], c1[R];
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
    for (int k = 0; k < kc; ++k, a += MR) {
        const float* bk = b.row(k);
        if constexpr (std::is_same_v<Rows, OffsetRows>) {
            // B rows sit anywhere (hundreds of strided streams, more than the hardware
            // prefetchers follow): fetch the row 8 steps ahead, its 2 or 3 lines. (Fetching this
            // row's next tile instead was slower on 1x1 layers read in place, whose rows for one
            // tile overflow L1 before that tile comes.)
            if (k + 8 < kc) {
                const float* bn = b.row(k + 8);
                _mm_prefetch(reinterpret_cast<const char*>(bn), _MM_HINT_T0);
                _mm_prefetch(reinterpret_cast<const char*>(bn + (HALF ? 15 : 16)), _MM_HINT_T0);
                if (!HALF) _mm_prefetch(reinterpret_cast<const char*>(bn + 31), _MM_HINT_T0);
            }
        }
        const __m512 b0 = _mm512_loadu_ps(bk);
        const __m512 b1 = HALF ? b0 : _mm512_loadu_ps(bk + 16);
#pragma GCC unroll 12
        for (int r = 0; r < R; ++r) {
            const __m512 ar = _mm512_set1_ps(a[r]);
            c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
            if (!HALF) c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
        }
    }
    // Each run is a pair of lane masks and a shift: masked loads and stores put its lanes in
    // place and touch nothing else (masked-off lanes neither read nor fault).
    __mmask16 m0[kGemmMaxRuns], m1[kGemmMaxRuns];
    for (int i = 0; i < u.n; ++i) {
        const std::uint32_t lanes = std::uint32_t((std::uint64_t(1) << u.hi[i]) - (std::uint64_t(1) << u.lo[i]));
        m0[i] = __mmask16(lanes & 0xFFFF);
        m1[i] = __mmask16(lanes >> 16);
    }
    const bool bias = out && out->bias;
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
        float* cr = c + r * ldc;
        if (accumulate) {
            __m512 o0 = _mm512_setzero_ps(), o1 = _mm512_setzero_ps();
            for (int i = 0; i < u.n; ++i) {
                o0 = _mm512_mask_loadu_ps(o0, m0[i], cr + u.shift[i]);
                if (!HALF) o1 = _mm512_mask_loadu_ps(o1, m1[i], cr + u.shift[i] + 16);
            }
            c0[r] = _mm512_add_ps(c0[r], o0);
            if (!HALF) c1[r] = _mm512_add_ps(c1[r], o1);
        }
        if (bias) {
            const __m512 br = _mm512_set1_ps(out->bias[r]);
            c0[r] = bias_act_avx512(c0[r], br, out->act);
            if (!HALF) c1[r] = bias_act_avx512(c1[r], br, out->act);
        }
        for (int i = 0; i < u.n; ++i) {
            _mm512_mask_storeu_ps(cr + u.shift[i], m0[i], c0[r]);
            if (!HALF) _mm512_mask_storeu_ps(cr + u.shift[i] + 16, m1[i], c1[r]);
        }
    }
}

template <int R, class Rows>
__attribute__((target("avx512f"))) void gemm_rows_avx512(int kc, const float* a, Rows b, float* c,
                                                          std::size_t ldc, int cols, bool accumulate,
                                                          const GemmTileOut* out) {
    const Runs u = runs_of(out, cols);
    if (u.hi[u.n - 1] <= 16) return gemm_rows_avx512_impl<R, true>(kc, a, b, c, ldc, u, accumulate, out);
    gemm_rows_avx512_impl<R, false>(kc, a, b, c, ldc, u, accumulate, out);
}

template <class Rows>
__attribute__((target("avx512f"))) void gemm_12x32_avx512(int kc, const float* a, Rows b, float* c, std::size_t ldc,
                                                          int rows, int cols, bool accumulate,
                                                          const GemmTileOut* out) {
    switch (rows) {
        case 1: return gemm_rows_avx512<1>(kc, a, b, c, ldc, cols, accumulate, out);
        case 2: return gemm_rows_avx512<2>(kc, a, b, c, ldc, cols, accumulate, out);
        case 3: return gemm_rows_avx512<3>(kc, a, b, c, ldc, cols, accumulate, out);
        case 4: return gemm_rows_avx512<4>(kc, a, b, c, ldc, cols, accumulate, out);
        case 5: return gemm_rows_avx512<5>(kc, a, b, c, ldc, cols, accumulate, out);
        case 6: return gemm_rows_avx512<6>(kc, a, b, c, ldc, cols, accumulate, out);
        case 7: return gemm_rows_avx512<7>(kc, a, b, c, ldc, cols, accumulate, out);
        case 8: return gemm_rows_avx512<8>(kc, a, b, c, ldc, cols, accumulate, out);
        case 9: return gemm_rows_avx512<9>(kc, a, b, c, ldc, cols, accumulate, out);
        case 10: return gemm_rows_avx512<10>(kc, a, b, c, ldc, cols, accumulate, out);
        case 11: return gemm_rows_avx512<11>(kc, a, b, c, ldc, cols, accumulate, out);
        default: return gemm_rows_avx512<12>(kc, a, b, c, ldc, cols, accumulate, out);
    }
}

__attribute__((target("avx512f"))) void f32_gemm_12x32_avx512(int kc, const float* a, const float* b, float* c,
                                                             std::size_t ldc, int rows, int cols,
                                                             bool accumulate, const GemmTileOut* out) {
    gemm_12x32_avx512(kc, a, PackedRows<32>{b}, c, ldc, rows, cols, accumulate, out);
}
__attribute__((target("avx512f"))) void f32_igemm_12x32_avx512(int kc, const float* a, const float* b,
                                                              const std::ptrdiff_t* off, float* c, std::size_t ldc,
                                                              int rows, int cols, bool accumulate,
                                                              const GemmTileOut* out) {
    gemm_12x32_avx512(kc, a, OffsetRows{b, off}, c, ldc, rows, cols, accumulate, out);
}
#pragma GCC diagnostic pop
#endif  // DN_X86

const GemmKernel kGeneric = {"f32_gemm_4x16_generic", "generic", Isa::generic, 4, 16, f32_gemm_4x16_generic, f32_igemm_4x16_generic};
#ifdef DN_X86
const GemmKernel kAvx2 = {"f32_gemm_6x16_avx2", "avx2", Isa::avx2, 6, 16, f32_gemm_6x16_avx2, f32_igemm_6x16_avx2};
const GemmKernel kAvx512 = {"f32_gemm_12x32_avx512", "avx512", Isa::avx512, 12, 32, f32_gemm_12x32_avx512, f32_igemm_12x32_avx512};
#endif

std::vector<const GemmKernel*> detect_kernels() {
    std::vector<const GemmKernel*> v;
#ifdef DN_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) v.push_back(&kAvx512);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) v.push_back(&kAvx2);
#endif
    v.push_back(&kGeneric);
    return v;
}

}  // namespace

const std::vector<const GemmKernel*>& gemm_kernels_available() {
    static const std::vector<const GemmKernel*> kernels = detect_kernels();
    return kernels;
}

const GemmKernel* find_gemm_kernel(std::string_view isa) {
    for (const GemmKernel* k : gemm_kernels_available())
        if (isa == k->isa) return k;
    return nullptr;
}

const GemmKernel& gemm_kernel_default() {
    static const GemmKernel* chosen = [] {
        const GemmKernel* best = gemm_kernels_available().front();
        const char* env = std::getenv("DARKNET_ISA");
        if (!env || !*env) return best;
        if (const GemmKernel* k = find_gemm_kernel(env)) return k;
        std::string names;
        for (const GemmKernel* k : gemm_kernels_available()) names += std::string(names.empty() ? "" : ", ") + k->isa;
        log_warn("DARKNET_ISA=%s: not available on this CPU (available: %s); using %s", env, names.c_str(),
                 best->isa);
        return best;
    }();
    return *chosen;
}

}  // namespace dn
