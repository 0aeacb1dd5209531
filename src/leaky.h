// Upstream's leaky, x > 0 ? x : (float)(.1 * x) with the product in double, in float
// arithmetic. With hi = 0x1.999998p-4 (0.1f rounded down) and lo = 0x1.99999ap-28 (the
// double 0.1 - hi rounded to float), neg = fma(v, hi, v * lo) rounds to the same float as
// (float)(.1 * (double)v), and max(v, neg) (v > neg ? v : neg, NaN selecting neg) to the same
// activation, for every float v but one set: -0 and the negatives of magnitude below 2^-119,
// the floats whose bits read as a signed int32 are below kLeakyFmaMinBits. Those take the
// double product. Checked over all 2^32 floats (tests/test_layers.cpp, "leaky ... every
// float"). Both terms have v's sign, so -0, +-inf and NaN need no special case in the sum;
// the limit is where v * lo leaves the normal range and the sum's rounding drifts.
// Three operations instead of the double product's two conversions each way, which on
// AVX-512 cost 13 uops a vector on the FMA ports.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace dn {

constexpr float kLeakyHi = 0x1.999998p-4f;
constexpr float kLeakyLo = 0x1.99999ap-28f;
constexpr std::int32_t kLeakyFmaMinBits = INT32_MIN + 0x04000000;  // bits of -0 + those of 2^-119

// The reference: upstream's formula, written as the select the vector code uses.
inline float leaky_double(float v) {
    const float neg = static_cast<float>(.1 * double(v));
    return v > neg ? v : neg;
}

// The same bits through one fused multiply-add; only where fma is an instruction (a libm fma
// is exact too, but slow).
inline float leaky_fma(float v) {
    std::int32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    if (bits < kLeakyFmaMinBits) return leaky_double(v);
    const float neg = std::fma(v, kLeakyHi, v * kLeakyLo);
    return v > neg ? v : neg;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 on _mm512_undefined_* in the conversions
__attribute__((target("avx512f"))) inline __m512 leaky_double_avx512(__m512 v) {
    const __m512d tenth = _mm512_set1_pd(.1);
    const __m256 lo = _mm512_cvtpd_ps(_mm512_mul_pd(tenth, _mm512_cvtps_pd(_mm512_castps512_ps256(v))));
    const __m256 hi = _mm512_cvtpd_ps(
        _mm512_mul_pd(tenth, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))));
    const __m512 neg =
        _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
    return _mm512_max_ps(v, neg);  // v > neg ? v : neg
}
__attribute__((target("avx512f"))) inline __m512 leaky_avx512(__m512 v) {
    if (__builtin_expect(_mm512_cmplt_epi32_mask(_mm512_castps_si512(v), _mm512_set1_epi32(kLeakyFmaMinBits)) != 0, 0))
        return leaky_double_avx512(v);
    const __m512 neg = _mm512_fmadd_ps(v, _mm512_set1_ps(kLeakyHi), _mm512_mul_ps(v, _mm512_set1_ps(kLeakyLo)));
    return _mm512_max_ps(v, neg);
}
#pragma GCC diagnostic pop

__attribute__((target("avx2,fma"))) inline __m256 leaky_double_avx2(__m256 v) {
    const __m256d tenth = _mm256_set1_pd(.1);
    const __m128 lo = _mm256_cvtpd_ps(_mm256_mul_pd(tenth, _mm256_cvtps_pd(_mm256_castps256_ps128(v))));
    const __m128 hi = _mm256_cvtpd_ps(_mm256_mul_pd(tenth, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
    return _mm256_max_ps(v, _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1));
}
__attribute__((target("avx2,fma"))) inline __m256 leaky_avx2(__m256 v) {
    const __m256i slow = _mm256_cmpgt_epi32(_mm256_set1_epi32(kLeakyFmaMinBits), _mm256_castps_si256(v));
    if (__builtin_expect(!_mm256_testz_si256(slow, slow), 0)) return leaky_double_avx2(v);
    const __m256 neg = _mm256_fmadd_ps(v, _mm256_set1_ps(kLeakyHi), _mm256_mul_ps(v, _mm256_set1_ps(kLeakyLo)));
    return _mm256_max_ps(v, neg);
}
#endif

}  // namespace dn
