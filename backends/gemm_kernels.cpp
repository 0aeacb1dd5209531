// The f32 GEMM microkernels of gemm_kernels.h. Each kernel keeps its MR x NR tile of C in
// registers for the whole k loop: per k it loads NR values of B (vectors) and broadcasts MR
// values of A. A tile with fewer rows than MR runs an instantiation with exactly that many
// rows (no wasted FMAs); fewer columns than NR are handled with masked (AVX-512) or staged
// (AVX2, generic) loads and stores of C.
// Tiles: AVX-512 12x32 (24 zmm accumulators + 2 B + 1 broadcast of 32 registers),
// AVX2 6x16 (12 ymm accumulators + 2 B + 1 broadcast of 16), generic 4x16 (plain loops
// that compilers vectorise for SSE, AVX or NEON).
#include "gemm_kernels.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "../src/log.h"

#if defined(__x86_64__) || defined(__i386__)
#define DN_X86 1
#include <immintrin.h>
#endif

namespace dn {
namespace {

// Stores or accumulates an MR x NR staging tile t into C, rows x cols of it.
template <int NR>
inline void store_tile(const float* t, float* c, std::size_t ldc, int rows, int cols, bool accumulate) {
    for (int r = 0; r < rows; ++r, t += NR, c += ldc) {
        if (accumulate)
            for (int j = 0; j < cols; ++j) c[j] += t[j];
        else
            std::memcpy(c, t, sizeof(float) * cols);
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
template <int R, int MR, int NR, class Rows>
void gemm_rows_generic(int kc, const float* a, Rows b, float* c, std::size_t ldc, int cols, bool accumulate) {
    float t[R][NR] = {};
    for (int k = 0; k < kc; ++k, a += MR) {
        const float* bk = b.row(k);
        for (int r = 0; r < R; ++r) {
            const float ar = a[r];
            for (int j = 0; j < NR; ++j) t[r][j] += ar * bk[j];
        }
    }
    store_tile<NR>(&t[0][0], c, ldc, R, cols, accumulate);
}

template <class Rows>
void gemm_4x16_generic(int kc, const float* a, Rows b, float* c, std::size_t ldc, int rows, int cols,
                       bool accumulate) {
    switch (rows) {
        case 1: return gemm_rows_generic<1, 4, 16>(kc, a, b, c, ldc, cols, accumulate);
        case 2: return gemm_rows_generic<2, 4, 16>(kc, a, b, c, ldc, cols, accumulate);
        case 3: return gemm_rows_generic<3, 4, 16>(kc, a, b, c, ldc, cols, accumulate);
        default: return gemm_rows_generic<4, 4, 16>(kc, a, b, c, ldc, cols, accumulate);
    }
}

void f32_gemm_4x16_generic(int kc, const float* a, const float* b, float* c, std::size_t ldc, int rows,
                           int cols, bool accumulate) {
    gemm_4x16_generic(kc, a, PackedRows<16>{b}, c, ldc, rows, cols, accumulate);
}
void f32_igemm_4x16_generic(int kc, const float* a, const float* b, const std::ptrdiff_t* off, float* c,
                            std::size_t ldc, int rows, int cols, bool accumulate) {
    gemm_4x16_generic(kc, a, OffsetRows{b, off}, c, ldc, rows, cols, accumulate);
}

#ifdef DN_X86
// ---- AVX2 + FMA: 6x16 ---------------------------------------------------------------------
template <int R, class Rows>
__attribute__((target("avx2,fma"))) void gemm_rows_avx2(int kc, const float* a, Rows b, float* c,
                                                         std::size_t ldc, int cols, bool accumulate) {
    constexpr int MR = 6, NR = 16;
    __m256 c0[R], c1[R];
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm256_setzero_ps();
    for (int k = 0; k < kc; ++k, a += MR) {
        const float* bk = b.row(k);
        const __m256 b0 = _mm256_loadu_ps(bk), b1 = _mm256_loadu_ps(bk + 8);
#pragma GCC unroll 12
        for (int r = 0; r < R; ++r) {
            const __m256 ar = _mm256_broadcast_ss(a + r);
            c0[r] = _mm256_fmadd_ps(ar, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(ar, b1, c1[r]);
        }
    }
    if (cols == NR) {
#pragma GCC unroll 12
        for (int r = 0; r < R; ++r) {
            float* cr = c + r * ldc;
            if (accumulate) {
                c0[r] = _mm256_add_ps(c0[r], _mm256_loadu_ps(cr));
                c1[r] = _mm256_add_ps(c1[r], _mm256_loadu_ps(cr + 8));
            }
            _mm256_storeu_ps(cr, c0[r]);
            _mm256_storeu_ps(cr + 8, c1[r]);
        }
        return;
    }
    alignas(32) float t[R * NR];
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
        _mm256_store_ps(t + r * NR, c0[r]);
        _mm256_store_ps(t + r * NR + 8, c1[r]);
    }
    store_tile<NR>(t, c, ldc, R, cols, accumulate);
}

template <class Rows>
__attribute__((target("avx2,fma"))) void gemm_6x16_avx2(int kc, const float* a, Rows b, float* c, std::size_t ldc,
                                                         int rows, int cols, bool accumulate) {
    switch (rows) {
        case 1: return gemm_rows_avx2<1>(kc, a, b, c, ldc, cols, accumulate);
        case 2: return gemm_rows_avx2<2>(kc, a, b, c, ldc, cols, accumulate);
        case 3: return gemm_rows_avx2<3>(kc, a, b, c, ldc, cols, accumulate);
        case 4: return gemm_rows_avx2<4>(kc, a, b, c, ldc, cols, accumulate);
        case 5: return gemm_rows_avx2<5>(kc, a, b, c, ldc, cols, accumulate);
        default: return gemm_rows_avx2<6>(kc, a, b, c, ldc, cols, accumulate);
    }
}

__attribute__((target("avx2,fma"))) void f32_gemm_6x16_avx2(int kc, const float* a, const float* b, float* c,
                                                            std::size_t ldc, int rows, int cols,
                                                            bool accumulate) {
    gemm_6x16_avx2(kc, a, PackedRows<16>{b}, c, ldc, rows, cols, accumulate);
}
__attribute__((target("avx2,fma"))) void f32_igemm_6x16_avx2(int kc, const float* a, const float* b,
                                                             const std::ptrdiff_t* off, float* c, std::size_t ldc,
                                                             int rows, int cols, bool accumulate) {
    gemm_6x16_avx2(kc, a, OffsetRows{b, off}, c, ldc, rows, cols, accumulate);
}

// ---- AVX-512: 12x32 -----------------------------------------------------------------------
template <int R, class Rows>
__attribute__((target("avx512f"))) void gemm_rows_avx512(int kc, const float* a, Rows b, float* c,
                                                          std::size_t ldc, int cols, bool accumulate) {
    constexpr int MR = 12;  // NR = 32: two zmm per row
    __m512 c0[R], c1[R];
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
    for (int k = 0; k < kc; ++k, a += MR) {
        const float* bk = b.row(k);
        const __m512 b0 = _mm512_loadu_ps(bk), b1 = _mm512_loadu_ps(bk + 16);
#pragma GCC unroll 12
        for (int r = 0; r < R; ++r) {
            const __m512 ar = _mm512_set1_ps(a[r]);
            c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
        }
    }
    const __mmask16 m0 = cols >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << cols) - 1);
    const __mmask16 m1 = cols >= 32 ? __mmask16(0xFFFF) : cols <= 16 ? __mmask16(0) : __mmask16((1u << (cols - 16)) - 1);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
        float* cr = c + r * ldc;
        if (accumulate) {
            c0[r] = _mm512_add_ps(c0[r], _mm512_maskz_loadu_ps(m0, cr));
            c1[r] = _mm512_add_ps(c1[r], _mm512_maskz_loadu_ps(m1, cr + 16));
        }
        _mm512_mask_storeu_ps(cr, m0, c0[r]);
        _mm512_mask_storeu_ps(cr + 16, m1, c1[r]);
    }
}

template <class Rows>
__attribute__((target("avx512f"))) void gemm_12x32_avx512(int kc, const float* a, Rows b, float* c, std::size_t ldc,
                                                          int rows, int cols, bool accumulate) {
    switch (rows) {
        case 1: return gemm_rows_avx512<1>(kc, a, b, c, ldc, cols, accumulate);
        case 2: return gemm_rows_avx512<2>(kc, a, b, c, ldc, cols, accumulate);
        case 3: return gemm_rows_avx512<3>(kc, a, b, c, ldc, cols, accumulate);
        case 4: return gemm_rows_avx512<4>(kc, a, b, c, ldc, cols, accumulate);
        case 5: return gemm_rows_avx512<5>(kc, a, b, c, ldc, cols, accumulate);
        case 6: return gemm_rows_avx512<6>(kc, a, b, c, ldc, cols, accumulate);
        case 7: return gemm_rows_avx512<7>(kc, a, b, c, ldc, cols, accumulate);
        case 8: return gemm_rows_avx512<8>(kc, a, b, c, ldc, cols, accumulate);
        case 9: return gemm_rows_avx512<9>(kc, a, b, c, ldc, cols, accumulate);
        case 10: return gemm_rows_avx512<10>(kc, a, b, c, ldc, cols, accumulate);
        case 11: return gemm_rows_avx512<11>(kc, a, b, c, ldc, cols, accumulate);
        default: return gemm_rows_avx512<12>(kc, a, b, c, ldc, cols, accumulate);
    }
}

__attribute__((target("avx512f"))) void f32_gemm_12x32_avx512(int kc, const float* a, const float* b, float* c,
                                                             std::size_t ldc, int rows, int cols,
                                                             bool accumulate) {
    gemm_12x32_avx512(kc, a, PackedRows<32>{b}, c, ldc, rows, cols, accumulate);
}
__attribute__((target("avx512f"))) void f32_igemm_12x32_avx512(int kc, const float* a, const float* b,
                                                              const std::ptrdiff_t* off, float* c, std::size_t ldc,
                                                              int rows, int cols, bool accumulate) {
    gemm_12x32_avx512(kc, a, OffsetRows{b, off}, c, ldc, rows, cols, accumulate);
}
#endif  // DN_X86

const GemmKernel kGeneric = {"f32_gemm_4x16_generic", "generic", 4, 16, f32_gemm_4x16_generic, f32_igemm_4x16_generic};
#ifdef DN_X86
const GemmKernel kAvx2 = {"f32_gemm_6x16_avx2", "avx2", 6, 16, f32_gemm_6x16_avx2, f32_igemm_6x16_avx2};
const GemmKernel kAvx512 = {"f32_gemm_12x32_avx512", "avx512", 12, 32, f32_gemm_12x32_avx512, f32_igemm_12x32_avx512};
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
