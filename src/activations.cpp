#include "activations.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "isa_clones.h"
#include "leaky.h"

namespace dn {

namespace {
struct Named {
    const char* name;
    Activation a;
};
const Named kNames[] = {
    {"logistic", Activation::logistic}, {"loggy", Activation::loggy},
    {"relu", Activation::relu},         {"elu", Activation::elu},
    {"selu", Activation::selu},         {"relie", Activation::relie},
    {"plse", Activation::plse},         {"hardtan", Activation::hardtan},
    {"lhtan", Activation::lhtan},       {"linear", Activation::linear},
    {"ramp", Activation::ramp},         {"leaky", Activation::leaky},
    {"tanh", Activation::tanh},         {"stair", Activation::stair},
    {"mish", Activation::mish},         {"swish", Activation::swish},
    {"hard_mish", Activation::hard_mish}, {"relu6", Activation::relu6},
    {"gelu", Activation::gelu},
};

inline float stair(float x) {
    const int n = static_cast<int>(std::floor(x));
    if (n % 2 == 0) return static_cast<float>(std::floor(x / 2.));
    return static_cast<float>((x - n) + std::floor(x / 2.));
}

// AlexeyAB's float formulas (its activations.h/.c): logistic 1/(1+e^-x) in float, its tanh
// as 2/(1+e^-2y)-1, softplus with threshold 20 (x above it, e^x below its negative).
inline float logistic_f(float x) { return 1.f / (1.f + std::exp(-x)); }
inline float softplus_f(float x) {
    if (x > 20.f) return x;
    if (x < -20.f) return std::exp(x);
    return std::log(std::exp(x) + 1.f);
}
inline float mish(float x) { return x * (2.f / (1.f + std::exp(-2.f * softplus_f(x))) - 1.f); }
inline float hard_mish(float x) {
    if (x > 0) return x;
    if (x > -2) return x * x / 2 + x;
    return 0;
}
// 0.5*x*(1 + tanhf(0.797885*x + 0.035677*x^3)), with the fork's double constants and float
// tanhf and powf.
inline float gelu(float x) {
    const float t = std::tanh(static_cast<float>(0.797885 * x + 0.035677 * double(std::pow(x, 3.f))));
    return static_cast<float>(0.5 * x * (1 + t));
}
}  // namespace

bool parse_activation(const std::string& name, Activation* out) {
    for (const Named& n : kNames) {
        if (name == n.name) {
            *out = n.a;
            return true;
        }
    }
    return false;
}

const char* activation_name(Activation a) {
    if (a == Activation::leaky_float) return "leaky";
    if (a == Activation::logistic_float) return "logistic";
    for (const Named& n : kNames)
        if (n.a == a) return n.name;
    return "?";
}

std::string activation_names() {
    std::string s;
    for (const Named& n : kNames) {
        if (!s.empty()) s += ", ";
        s += n.name;
    }
    return s;
}

float activate(float x, Activation a) {
    switch (a) {
        case Activation::linear: return x;
        case Activation::logistic: return static_cast<float>(1. / (1. + std::exp(-double(x))));
        case Activation::loggy: return static_cast<float>(2. / (1. + std::exp(-double(x))) - 1);
        case Activation::relu: return x * (x > 0);
        case Activation::elu:
            return static_cast<float>((x >= 0) * x + (x < 0) * (std::exp(double(x)) - 1));
        case Activation::selu:
            return static_cast<float>((x >= 0) * 1.0507 * x +
                                      (x < 0) * 1.0507 * 1.6732 * (std::exp(double(x)) - 1));
        case Activation::relie: return x > 0 ? x : static_cast<float>(.01 * x);
        case Activation::ramp: return static_cast<float>(x * (x > 0) + .1 * x);
        case Activation::leaky: return x > 0 ? x : static_cast<float>(.1 * x);
        case Activation::leaky_float: return x > 0 ? x : .1f * x;
        case Activation::logistic_float: return 1.f / (1.f + std::exp(-x));
        case Activation::tanh: {
            const double e = std::exp(2. * x);
            return static_cast<float>((e - 1) / (e + 1));
        }
        case Activation::plse:
            if (x < -4) return static_cast<float>(.01 * (x + 4));
            if (x > 4) return static_cast<float>(.01 * (x - 4) + 1);
            return static_cast<float>(.125 * x + .5);
        case Activation::stair: return stair(x);
        case Activation::hardtan:
            if (x < -1) return -1;
            if (x > 1) return 1;
            return x;
        case Activation::lhtan:
            if (x < 0) return static_cast<float>(.001 * x);
            if (x > 1) return static_cast<float>(.001 * (x - 1) + 1);
            return x;
        case Activation::mish: return mish(x);
        case Activation::swish: return x * logistic_f(x);
        case Activation::hard_mish: return hard_mish(x);
        // AlexeyAB's CPU activate() has no relu6 case and returns 0 for it; this is the
        // function as defined (and as its GPU kernel computes it).
        case Activation::relu6: {
            const float r = x > 0 ? x : 0.f;
            return r < 6 ? r : 6.f;
        }
        case Activation::gelu: return gelu(x);
    }
    return x;
}

namespace {
inline float logistic(float x) { return static_cast<float>(1. / (1. + std::exp(-double(x)))); }

// logistic() on a block of values, bit-identical to it, in code compilers vectorise (AVX-512,
// AVX2, NEON: no library call in the loop). exp(-x) is computed in double (Cody-Waite
// reduction by ln 2, Taylor polynomial of degree 13 on |r| <= ln2/2, error a few ulps of
// double), then 1 / (1 + e) as upstream does. Upstream's double result (glibc exp, < 1 ulp)
// and ours are each within a few double ulps of the true value, so their roundings to float
// agree unless the value lies within that distance of a rounding boundary, a midpoint between
// two floats: those values (about one in a million), and inputs outside [-80, 80] or NaN,
// are recomputed with logistic() itself.
constexpr int kLogisticBlock = 64;
void logistic_block(float* x, int n) {
    constexpr double kLog2e = 1.4426950408889634, kLn2Hi = 6.93147180369123816490e-01,  // 32 bits: k*hi exact
        kLn2Lo = 1.90821492927058770002e-10, kRound = 6755399441055744.0;                    // 1.5 * 2^52
    // Rounding a double to float looks at its 29 low mantissa bits; 2^28 there is a midpoint.
    constexpr std::int64_t kMid = std::int64_t(1) << 28, kLow = (std::int64_t(1) << 29) - 1, kMargin = 256;
    // Only integer adds, shifts and bit copies between the lanes' doubles and integers: no
    // double-to-int64 conversion, which AVX2 lacks and AVX-512 has only with AVX512DQ, so
    // that every build (the AVX2 and AVX-512F clones too) vectorises the loop.
    std::int64_t round_bits;
    std::memcpy(&round_bits, &kRound, sizeof round_bits);
    double s[kLogisticBlock], r[kLogisticBlock];
    for (int i = 0; i < n; ++i) s[i] = -double(x[i]);
    for (int i = n; i < kLogisticBlock; ++i) s[i] = 0.;
    for (int i = 0; i < kLogisticBlock; ++i) {  // the whole block: a fixed trip count
        const double t = s[i] >= -80. && s[i] <= 80. ? s[i] : 0.;
        const double kr = t * kLog2e + kRound;  // k + 1.5 * 2^52: k, the nearest integer, in the low bits
        const double k = kr - kRound;           // |k| <= 116
        const double a = (t - k * kLn2Hi) - k * kLn2Lo;
        double p = 1. / 6227020800.;  // 1/13!
        p = p * a + 1. / 479001600.;
        p = p * a + 1. / 39916800.;
        p = p * a + 1. / 3628800.;
        p = p * a + 1. / 362880.;
        p = p * a + 1. / 40320.;
        p = p * a + 1. / 5040.;
        p = p * a + 1. / 720.;
        p = p * a + 1. / 120.;
        p = p * a + 1. / 24.;
        p = p * a + 1. / 6.;
        p = p * a + .5;
        p = p * a + 1.;
        p = p * a + 1.;
        std::int64_t kr_bits;
        std::memcpy(&kr_bits, &kr, sizeof kr_bits);
        // kr and kRound share one binade whose unit is 1, so their bit patterns differ by k.
        const std::int64_t scale_bits = (kr_bits - round_bits + 1023) << 52;
        double scale;
        std::memcpy(&scale, &scale_bits, sizeof scale);
        const double v = 1. / (1. + p * scale);
        std::int64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        const std::int64_t d = (bits & kLow) - kMid;
        // NaN in place of the values to recompute: outside the range or near a boundary.
        r[i] = t == s[i] && (d >= kMargin || d <= -kMargin) ? v : std::numeric_limits<double>::quiet_NaN();
    }
    for (int i = 0; i < n; ++i) x[i] = static_cast<float>(r[i]);
    // -s[i] is x[i]'s input exactly (a float widened to double).
    for (int i = 0; i < n; ++i)
        if (r[i] != r[i]) x[i] = logistic(static_cast<float>(-s[i]));
}

// The formula of activate(), without its switch per element, per ISA (isa_clones.h): the
// double-precision polynomial runs 2, 4 or 8 lanes wide (SSE2, AVX2, AVX-512).
inline void logistic_array(float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; i += kLogisticBlock)
        logistic_block(x + i, static_cast<int>(std::min<std::size_t>(kLogisticBlock, n - i)));
}
DN_CLONES(logistic_array, (float* x, std::size_t n), (x, n))

// Leaky rows (leaky.h). Portable: the double product, which compilers vectorise; where fma
// is an instruction (AArch64), a pass that looks for the floats the FMA form leaves to the
// double product, then the FMA loop, both vectorisable. The x86 loops use leaky.h's vectors,
// the ones the GEMM kernels apply in registers, so the exhaustive test covers those too.
template <bool Bias>
void leaky_portable(float* x, std::size_t n, float bias) {
#ifdef FP_FAST_FMAF
    bool slow = false;
    for (std::size_t i = 0; i < n; ++i) {
        const float v = Bias ? x[i] + bias : x[i];
        std::int32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        slow |= bits < kLeakyFmaMinBits;
    }
    if (!slow) {
        for (std::size_t i = 0; i < n; ++i) {
            const float v = Bias ? x[i] + bias : x[i];
            const float neg = std::fma(v, kLeakyHi, v * kLeakyLo);
            x[i] = v > neg ? v : neg;
        }
        return;
    }
#endif
    for (std::size_t i = 0; i < n; ++i) x[i] = leaky_double(Bias ? x[i] + bias : x[i]);
}

#ifdef DN_X86_CLONES
template <bool Bias>
__attribute__((target("avx512f"))) void leaky_avx512_loop(float* x, std::size_t n, float bias) {
    const __m512 b = _mm512_set1_ps(bias);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        if (Bias) v = _mm512_add_ps(v, b);
        _mm512_storeu_ps(x + i, leaky_avx512(v));
    }
    if (i < n) {  // masked-off lanes are neither read nor written
        const __mmask16 m = __mmask16((1u << (n - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        if (Bias) v = _mm512_add_ps(v, b);
        _mm512_mask_storeu_ps(x + i, m, leaky_avx512(v));
    }
}
template <bool Bias>
__attribute__((target("avx2,fma"))) void leaky_avx2_loop(float* x, std::size_t n, float bias) {
    const __m256 b = _mm256_set1_ps(bias);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (Bias) v = _mm256_add_ps(v, b);
        _mm256_storeu_ps(x + i, leaky_avx2(v));
    }
    for (; i < n; ++i) x[i] = leaky_fma(Bias ? x[i] + bias : x[i]);  // no masked AVX2 loads (AMD)
}
#endif
}  // namespace

void leaky_array(float* x, std::size_t n, const float* bias, Isa isa) {
    const float b = bias ? *bias : 0.f;
#ifdef DN_X86_CLONES
    if (isa == Isa::avx512) return bias ? leaky_avx512_loop<true>(x, n, b) : leaky_avx512_loop<false>(x, n, b);
    if (isa == Isa::avx2) return bias ? leaky_avx2_loop<true>(x, n, b) : leaky_avx2_loop<false>(x, n, b);
#else
    (void)isa;
#endif
    return bias ? leaky_portable<true>(x, n, b) : leaky_portable<false>(x, n, b);
}

void activate_array(float* x, std::size_t n, Activation a, Isa isa) {
    if (a == Activation::linear) return;
    if (a == Activation::leaky) return leaky_array(x, n, nullptr, isa);
    if (a == Activation::leaky_float) {
        for (std::size_t i = 0; i < n; ++i) x[i] = x[i] > 0 ? x[i] : .1f * x[i];
        return;
    }
    if (a == Activation::logistic) return DN_PICK(logistic_array, isa)(x, n);
    for (std::size_t i = 0; i < n; ++i) x[i] = activate(x[i], a);
}

void activate_array(float* x, std::size_t n, Activation a) { activate_array(x, n, a, gemm_kernel_default().id); }

}  // namespace dn
