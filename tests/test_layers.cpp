// Each layer on small cases computed by hand; then the fast paths of the non-conv layers
// against straightforward references, bit for bit, on odd shapes and any thread count.
#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "activations.h"
#include "aligned.h"
#include "conv_packed.h"
#include "layers/convolutional_layer.h"
#include "layers/maxpool_layer.h"
#include "test_helpers.h"
#include "top_k.h"

namespace {

const std::string kNet4x4 = "[net]\nwidth=4\nheight=4\nchannels=1\n";

std::vector<float> iota16() {
    std::vector<float> v(16);
    for (int i = 0; i < 16; ++i) v[i] = float(i);
    return v;
}

using dn_test::run;

void set_params(dn::Layer& l, std::initializer_list<std::vector<float>> values) {
    auto params = l.params();
    REQUIRE(params.size() == values.size());
    std::size_t i = 0;
    for (const auto& v : values) {
        REQUIRE(params[i].data->size() == v.size());
        *params[i].data = v;
        ++i;
    }
}

}  // namespace

TEST_CASE("maxpool: 2x2 stride 2", "[layers]") {
    auto net = dn_test::net_from_text(kNet4x4 + "[maxpool]\nsize=2\nstride=2\n");
    CHECK(net->layer(0).out.w == 2);
    CHECK(run(*net, iota16()) == std::vector<float>{5, 7, 13, 15});
}

TEST_CASE("maxpool: upstream's default padding size-1 keeps the size at stride 1", "[layers]") {
    // size 3 stride 1: padding 2, offset -1, so each output is the max of its 3x3
    // neighbourhood clipped to the image.
    auto net = dn_test::net_from_text(kNet4x4 + "[maxpool]\nsize=3\nstride=1\n");
    REQUIRE(net->layer(0).out.w == 4);
    CHECK(run(*net, iota16()) ==
          std::vector<float>{5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15, 13, 14, 15, 15});
}

TEST_CASE("maxpool: odd input with stride 2 and default padding", "[layers]") {
    // 3x3 input, size 2 stride 2, padding 1 -> (3+1-2)/2+1 = 2, offset 0.
    auto net = dn_test::net_from_text("[net]\nwidth=3\nheight=3\nchannels=1\n[maxpool]\nsize=2\nstride=2\n");
    REQUIRE(net->layer(0).out.w == 2);
    CHECK(run(*net, {1, 2, 3, 4, 5, 6, 7, 8, -9}) == std::vector<float>{5, 6, 8, -9});
}

TEST_CASE("avgpool: global mean per channel", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=2\nchannels=2\n[avgpool]\n");
    CHECK(run(*net, {1, 2, 3, 4, -1, -1, -1, 7}) == std::vector<float>{2.5f, 1.f});
}

TEST_CASE("softmax: groups and temperature", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=1\nheight=1\nchannels=4\n[softmax]\ngroups=2\ntemperature=2\n");
    const auto y = run(*net, {0, 2, 1, 1});
    const double e = std::exp(1.0);  // exp((2-0)/2)
    CHECK(y[0] == Approx(1 / (1 + e)));
    CHECK(y[1] == Approx(e / (1 + e)));
    CHECK(y[2] == Approx(0.5));
    CHECK(y[3] == Approx(0.5));
}

TEST_CASE("convolutional: 1x1 with bias, batch norm as upstream, activation", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=2\n"
                                      "[convolutional]\nfilters=1\nsize=1\nbatch_normalize=1\nactivation=leaky\n");
    // params: bias, scale, mean, variance, weights
    set_params(*net->layers[0], {{0.5f}, {2.f}, {1.f}, {4.f}, {1.f, -1.f}});
    // conv: [1-3, 2-(-4)] = [-2, 6]; bn: (x-1)/(2+1e-6)*2+0.5; leaky on the negative one.
    const auto y = run(*net, {1, 2, 3, -4});
    const double d = 2.0 + double(.000001f);
    CHECK(y[0] == Approx(0.1 * ((-2 - 1) / d * 2 + 0.5)));
    CHECK(y[1] == Approx((6 - 1) / d * 2 + 0.5));
}

TEST_CASE("convolutional: 3x3 pad 1 stride 2 by hand, linear", "[layers]") {
    auto net = dn_test::net_from_text(kNet4x4 + "[convolutional]\nfilters=1\nsize=3\nstride=2\npad=1\nactivation=linear\n");
    std::vector<float> w(9, 0.f);
    w[4] = 1.f;  // centre tap: picks the input pixel
    w[8] = 2.f;  // bottom-right tap: twice the pixel at (+1,+1)
    set_params(*net->layers[0], {{1.f}, w});
    // outputs at (0,0),(0,2),(2,0),(2,2): in + 2*in(+1,+1) + 1
    CHECK(run(*net, iota16()) == std::vector<float>{0 + 10 + 1, 2 + 14 + 1, 8 + 26 + 1, 10 + 30 + 1});
}

TEST_CASE("route: concatenates channels of earlier layers", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n"
                                      "[upsample]\nstride=1\nscale=2\n[upsample]\nstride=1\nscale=3\n[route]\nlayers=-1,0\n");
    CHECK(run(*net, {1, 2}) == std::vector<float>{6, 12, 2, 4});  // layer 1 is 3 x layer 0 = 6x
}

TEST_CASE("shortcut: previous plus from, with alpha and beta", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n"
                                      "[upsample]\nstride=1\nscale=2\n[upsample]\nstride=1\nscale=3\n"
                                      "[shortcut]\nfrom=0\nalpha=0.5\nbeta=2\nactivation=linear\n");
    // previous = 6x, from = 2x: 0.5*6x + 2*2x = 7x
    CHECK(run(*net, {1, 2}) == std::vector<float>{7, 14});
}

// Upstream's x86-64 build computes alpha*y + beta*add with two rounded products and a
// rounded sum; an FMA (which -march=native would allow) rounds once and changes last bits.
TEST_CASE("shortcut rounds each product like upstream (no FMA)", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=64\nheight=1\nchannels=1\n"
                                      "[upsample]\nstride=1\nscale=0.7\n[upsample]\nstride=1\nscale=1.3\n"
                                      "[shortcut]\nfrom=0\nalpha=0.1\nbeta=0.3\nactivation=linear\n");
    std::vector<float> x(64);
    for (int i = 0; i < 64; ++i) x[i] = 1.0f / float(i + 3) + float(i) * 0.0137f;
    const std::vector<float> y = run(*net, x);
    for (int i = 0; i < 64; ++i) {
        volatile float l0 = 0.7f * x[i];
        volatile float l1 = 1.3f * l0;
        volatile float p1 = 0.1f * l1;
        volatile float p2 = 0.3f * l0;
        const float want = p1 + p2;
        INFO("element " << i);
        CHECK(std::memcmp(&y[i], &want, sizeof want) == 0);
    }
}

TEST_CASE("upsample: nearest x2 and downsample by summing", "[layers]") {
    auto up = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n[upsample]\nstride=2\n");
    CHECK(run(*up, {1, 2}) == std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2});
    auto down = dn_test::net_from_text(kNet4x4 + "[upsample]\nstride=-2\nscale=0.5\n");
    REQUIRE(down->layer(0).out.w == 2);
    CHECK(run(*down, iota16()) == std::vector<float>{5, 9, 21, 25});
}

TEST_CASE("connected: W x + b with logistic by default", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=3\nheight=1\nchannels=1\n[connected]\noutput=2\n");
    set_params(*net->layers[0], {{0.f, 1.f}, {1, 0, 0, 1, 1, 1}});
    const auto y = run(*net, {1, 2, -4});
    CHECK(y[0] == Approx(1 / (1 + std::exp(-1.0))));
    CHECK(y[1] == Approx(1 / (1 + std::exp(-(-1.0 + 1)))));
}

TEST_CASE("dropout and cost are identities; cost is not the output layer", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=2\nheight=1\nchannels=1\n[dropout]\n[upsample]\nstride=1\nscale=3\n[cost]\n");
    CHECK(std::string(net->output_layer().kind()) == "upsample");
    CHECK(run(*net, {1, 2}) == std::vector<float>{3, 6});
}

TEST_CASE("activations: upstream's formulas at chosen points", "[layers]") {
    using dn::Activation;
    CHECK(dn::activate(-2.f, Activation::leaky) == Approx(-0.2));
    CHECK(dn::activate(3.f, Activation::leaky) == 3.f);
    CHECK(dn::activate(0.f, Activation::logistic) == 0.5f);
    CHECK(dn::activate(-1.f, Activation::relu) == 0.f);
    CHECK(dn::activate(-1.f, Activation::ramp) == Approx(-0.1));
    CHECK(dn::activate(5.f, Activation::plse) == Approx(1.01));
    CHECK(dn::activate(0.f, Activation::plse) == 0.5f);
    CHECK(dn::activate(-1.f, Activation::elu) == Approx(std::exp(-1.0) - 1));
    CHECK(dn::activate(2.f, Activation::hardtan) == 1.f);
    CHECK(dn::activate(2.f, Activation::lhtan) == Approx(1.001));
    CHECK(dn::activate(1.f, Activation::tanh) == Approx(std::tanh(1.0)));
    CHECK(dn::activate(2.5f, Activation::stair) == Approx(1.0));  // floor 2 even: floor(2.5/2)
    CHECK(dn::activate(3.5f, Activation::stair) == Approx(0.5 + 1));  // floor 3 odd: 0.5 + floor(1.75)
    dn::Activation a;
    CHECK(dn::parse_activation("selu", &a));
    CHECK_FALSE(dn::parse_activation("swishy", &a));
}

TEST_CASE("activations: activate_array's vectorised logistic is bit-identical to upstream's formula", "[layers]") {
    // Every 4093rd float bit pattern (about a million, all signs, magnitudes, NaNs and
    // infinities), specials, and inputs whose exact double result is a midpoint between two
    // floats (0.5 + x/4 for tiny x: the rounding depends on the last double bit). A scan of
    // all 2^32 floats found no difference; this samples it.
    std::vector<float> x = {0.f, -0.f, 80.f, -80.f, 80.00001f, -80.00001f, 88.7f, -88.7f, -103.9f, 1e-45f,
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(), 0x1p-23f, 0x1.8p-22f, 0x1.4p-21f, 0x1.cp-21f,
                            0x1.2p-20f, 0x1.6p-20f, 0x1.1p-19f, 0x1.7p-19f};
    for (std::uint64_t b = 0; b < (std::uint64_t(1) << 32); b += 4093) {
        const auto u = static_cast<std::uint32_t>(b);
        float f;
        std::memcpy(&f, &u, sizeof f);
        x.push_back(f);
    }
    // The loop's build for every ISA this CPU runs (isa_clones.h).
    for (const dn::GemmKernel* k : dn::gemm_kernels_available()) {
        CAPTURE(k->isa);
        std::vector<float> y = x;
        dn::activate_array(y.data(), y.size(), dn::Activation::logistic, k->id);
        std::size_t differ = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const float want = static_cast<float>(1. / (1. + std::exp(-double(x[i]))));
            if (std::memcmp(&want, &y[i], sizeof want) != 0) ++differ;
        }
        CHECK(differ == 0);
    }
}

TEST_CASE("top_k: largest first, ties keep the lower index first, k clamped", "[layers]") {
    const float a[] = {0.1f, 0.5f, 0.3f, 0.5f, 0.0f};
    CHECK(dn::top_k(a, 5, 3) == std::vector<int>{1, 3, 2});
    CHECK(dn::top_k(a, 5, 9).size() == 5);
}

// ---- Fast paths against straightforward references, bit for bit -------------------------

namespace {

// Values in [-4, 4) with the awkward ones mixed in: NaN, +-0, +-inf, -FLT_MAX, denormals
// and repeats (ties), so max order, NaN skipping and signed zeros are all exercised.
std::vector<float> awkward_values(std::size_t n, uint32_t seed) {
    const float specials[] = {std::numeric_limits<float>::quiet_NaN(), 0.f, -0.f,
                              std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                              -FLT_MAX, 1e-45f, -1e-45f, -1e-39f, 1.f, -1.f};
    std::vector<float> v(n);
    uint32_t x = seed * 2654435761u + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1664525u + 1013904223u;
        if ((x >> 24) % 7 == 0)
            v[i] = specials[(x >> 8) % (sizeof specials / sizeof specials[0])];
        else
            v[i] = ((x >> 8) * (1.0f / 16777216.0f) - 0.5f) * 8.f;
    }
    return v;
}

bool same_bits(const float* a, const float* b, std::size_t n, std::size_t* first = nullptr) {
    for (std::size_t i = 0; i < n; ++i)
        if (std::memcmp(a + i, b + i, sizeof(float)) != 0) {
            if (first) *first = i;
            return false;
        }
    return true;
}

std::unique_ptr<dn::Network> net_threads(const std::string& text, int threads) {
    dn::NetworkOptions opt;
    opt.threads = threads;
    return dn_test::net_from_text(text, opt);
}

std::string net_header(int w, int h, int c) {
    return "[net]\nwidth=" + std::to_string(w) + "\nheight=" + std::to_string(h) + "\nchannels=" +
           std::to_string(c) + "\n";
}

// Upstream's forward_maxpool_layer, as written there.
std::vector<float> ref_maxpool(const std::vector<float>& x, int c, int h, int w, int size, int stride,
                               int padding, int out_h, int out_w) {
    const int offset = -padding / 2;
    std::vector<float> y(std::size_t(c) * out_h * out_w);
    for (int k = 0; k < c; ++k)
        for (int i = 0; i < out_h; ++i)
            for (int j = 0; j < out_w; ++j) {
                float best = -FLT_MAX;
                for (int n = 0; n < size; ++n)
                    for (int m = 0; m < size; ++m) {
                        const int yy = offset + i * stride + n, xx = offset + j * stride + m;
                        const bool valid = yy >= 0 && yy < h && xx >= 0 && xx < w;
                        const float v = valid ? x[xx + w * (yy + h * k)] : -FLT_MAX;
                        best = v > best ? v : best;
                    }
                y[j + out_w * (i + out_h * k)] = best;
            }
    return y;
}

// Runs one [maxpool] layer (pad < 0: the default padding) on x with the given thread count
// and compares it with ref_maxpool bit for bit: "" when equal, else where and how it differs.
std::string maxpool_mismatch(const std::vector<float>& x, int c, int h, int w, int size, int stride, int pad,
                             int threads) {
    const int padding = pad < 0 ? size - 1 : pad;
    std::string cfg = net_header(w, h, c) + "[maxpool]\nsize=" + std::to_string(size) +
                      "\nstride=" + std::to_string(stride) + "\n";
    if (pad >= 0) cfg += "padding=" + std::to_string(pad) + "\n";
    auto net = net_threads(cfg, threads);
    const dn::Shape o = net->layer(0).out;
    const auto y = run(*net, x);
    const auto ref = ref_maxpool(x, c, h, w, size, stride, padding, o.h, o.w);
    if (y.size() != ref.size()) return "output size " + std::to_string(y.size()) + " vs " + std::to_string(ref.size());
    std::size_t at = 0;
    if (same_bits(y.data(), ref.data(), y.size(), &at)) return "";
    std::ostringstream m;
    m << "first difference at " << at << ": " << y[at] << " vs " << ref[at] << " (signbit "
      << int(std::signbit(y[at])) << " vs " << int(std::signbit(ref[at])) << ")";
    return m.str();
}

}  // namespace

TEST_CASE("maxpool fast paths equal upstream's loop bit for bit on odd shapes", "[layers][fast]") {
    // {4, 2100}: more than 64 strips of 16 outputs per row at stride 2 (the AVX-512 kernel's
    // masks and carried row then live on the heap).
    const int shapes[][2] = {{1, 1}, {5, 7}, {7, 5}, {13, 13}, {2, 3}, {64, 64}, {4, 2100}};
    const int windows[][2] = {{2, 2}, {2, 1}, {3, 1}, {3, 2}, {5, 1}, {4, 3}, {1, 1}, {3, 3}};
    const int paddings[] = {-1, 0, 1, 2, 3};  // -1: the default, size - 1
    int cases = 0;
    for (const auto& hw : shapes)
        for (int c : {1, 3, 17}) {
            if (hw[0] == 64 && c != 17) continue;  // the large case: enough outputs for threads
            if (hw[1] == 2100 && c != 1) continue;
            const int h = hw[0], w = hw[1];
            const auto x = awkward_values(std::size_t(c) * h * w, uint32_t(h * 131 + w * 7 + c));
            for (const auto& win : windows)
                for (int pad : paddings) {
                    const int size = win[0], stride = win[1], padding = pad < 0 ? size - 1 : pad;
                    if (h + padding < size || w + padding < size) continue;  // the parser refuses these
                    for (int threads : {1, 2}) {
                        INFO("c" << c << " h" << h << " w" << w << " size " << size << " stride " << stride
                                 << " padding " << padding << " threads " << threads);
                        CHECK(maxpool_mismatch(x, c, h, w, size, stride, pad, threads) == "");
                        ++cases;
                    }
                }
        }
    CHECK(cases > 400);
}

namespace {

// Mostly ties and non-finite values: +0/-0, NaN, -inf, -FLT_MAX and a few repeated numbers.
// With `only_low`, no cell is above zero, so whole windows are NaN, -inf or signed zeros.
std::vector<float> tie_heavy_values(std::size_t n, uint32_t seed, bool only_low) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const float any[] = {0.f, -0.f, 0.f, -0.f, nan, -inf, -FLT_MAX, 1.f, 1.f, -1.f, 0.5f, inf};
    const float low[] = {0.f, -0.f, nan, nan, -inf, -inf, -FLT_MAX};
    std::vector<float> v(n);
    uint32_t x = seed * 2654435761u + 7;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1664525u + 1013904223u;
        const uint32_t r = x >> 8;
        v[i] = only_low ? low[r % 7] : (r % 5 == 0 ? float(int(r % 9) - 4) * 0.25f : any[r % 12]);
    }
    return v;
}

}  // namespace

TEST_CASE("maxpool sizes 2 and 3, strides 1 and 2 equal the sequential scan bit for bit on ties", "[layers][fast]") {
    // Odd and even planes from 1x1 to 60x60, wider than 16 and 32 outputs to cross the
    // 16-output strips of the stride-2 kernel, and non-square. Both with the AVX-512 kernel
    // (where the CPU has it) and with the portable path that other CPUs run.
    const bool simd = GENERATE(true, false);
    dn::maxpool_allow_simd(simd);
    struct Restore {
        ~Restore() { dn::maxpool_allow_simd(true); }
    } restore;
    INFO("SIMD (the AVX-512 kernel, the AVX2/AVX-512 row loops) allowed: " << simd);
    const int shapes[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 5}, {6, 7}, {13, 13}, {14, 14}, {15, 17},
                             {16, 16}, {27, 27}, {28, 28}, {31, 33}, {32, 34}, {35, 2}, {55, 55}, {60, 60}};
    const int paddings[] = {-1, 0, 1, 2, 3, 4};  // -1: the default, size - 1
    int cases = 0;
    for (const auto& hw : shapes)
        for (bool only_low : {false, true}) {
            const int h = hw[0], w = hw[1], c = h * w >= 900 ? 5 : 3;
            const auto x = tie_heavy_values(std::size_t(c) * h * w, uint32_t(h * 977 + w * 31 + only_low), only_low);
            for (int size : {2, 3})
                for (int stride : {1, 2})
                    for (int pad : paddings) {
                        const int padding = pad < 0 ? size - 1 : pad;
                        if (h + padding < size || w + padding < size) continue;
                        for (int threads : {1, 2}) {
                            INFO("c" << c << " h" << h << " w" << w << " size " << size << " stride " << stride
                                     << " padding " << padding << " threads " << threads << " only_low " << only_low);
                            CHECK(maxpool_mismatch(x, c, h, w, size, stride, pad, threads) == "");
                            ++cases;
                        }
                    }
        }
    CHECK(cases > 600);
}

// leaky.h's claim: the loops of each ISA (on x86 the AVX-512 and AVX2 ones use the vector
// functions the GEMM kernels apply in registers) give upstream's bits, its double product
// written here as upstream writes it. Checks the 65536-float blocks of bit patterns first,
// first + step, ... and those around the FMA form's limit (the negatives above -2^-119 and -0
// go to the double product), at every ISA; returns the mismatches per ISA.
static std::vector<std::uint64_t> leaky_mismatches(std::uint32_t step) {
    constexpr std::size_t kChunk = std::size_t(1) << 16;
    const auto& kernels = dn::gemm_kernels_available();
    std::vector<float> in(kChunk), ref(kChunk), x(kChunk);
    std::vector<std::uint64_t> bad(kernels.size());
    std::vector<std::uint32_t> first(kernels.size());
    std::vector<std::uint64_t> bases;
    for (std::uint64_t b = 0; b < (std::uint64_t(1) << 32); b += std::uint64_t(step) * kChunk) bases.push_back(b);
    for (const std::uint32_t at : {0x80000000u, 0x84000000u, 0x04000000u, 0x7f800000u, 0xff800000u})
        for (int d = -2; d <= 1; ++d) bases.push_back(std::uint32_t(at + std::uint32_t(d) * kChunk));
    for (const std::uint64_t base : bases) {
        for (std::size_t i = 0; i < kChunk; ++i) {
            const std::uint32_t bits = std::uint32_t(base + i);
            std::memcpy(&in[i], &bits, sizeof bits);
            ref[i] = in[i] > 0 ? in[i] : static_cast<float>(.1 * in[i]);
        }
        for (std::size_t k = 0; k < kernels.size(); ++k) {
            x = in;
            dn::leaky_array(x.data(), kChunk, nullptr, kernels[k]->id);
            if (std::memcmp(x.data(), ref.data(), kChunk * sizeof(float)) == 0) continue;
            for (std::size_t i = 0; i < kChunk; ++i)
                if (std::memcmp(&x[i], &ref[i], sizeof(float)) != 0 && bad[k]++ == 0)
                    first[k] = std::uint32_t(base + i);
        }
    }
    for (std::size_t k = 0; k < kernels.size(); ++k)
        if (bad[k]) WARN("leaky, ISA " << kernels[k]->isa << ": first mismatch at float bits " << std::hex << first[k]);
    return bad;
}

// Every float: 2^32 values at each ISA (20 s with AVX-512, AVX2 and baseline on one Xeon core).
TEST_CASE("leaky gives upstream's double-product bits for every float at every ISA", "[layers][slow]") {
    for (const std::uint64_t bad : leaky_mismatches(1)) CHECK(bad == 0);
}

TEST_CASE("leaky gives upstream's double-product bits at every ISA", "[layers]") {
    // One float block in 61 (70 M values), and the blocks around the limit.
    for (const std::uint64_t bad : leaky_mismatches(61)) CHECK(bad == 0);
    // With a bias, and an odd length (the loops' tails): near the FMA form's limit, where
    // v = x + bias crosses it.
    for (const dn::GemmKernel* k : dn::gemm_kernels_available())
        for (const float bias : {0.f, -0x1p-119f, 0x1p-119f, -0x1p-118f, 3.f})
            for (std::size_t n : {1, 7, 15, 17, 1001}) {
                std::vector<float> y(n), want(n);
                for (std::size_t i = 0; i < n; ++i) {
                    y[i] = std::ldexp(float(int(i % 37) - 18), -123 + int(i % 9));
                    const float v = y[i] + bias;
                    want[i] = v > 0 ? v : static_cast<float>(.1 * v);
                }
                dn::leaky_array(y.data(), n, &bias, k->id);
                std::size_t at = 0;
                INFO("ISA " << k->isa << " bias " << bias << " n " << n);
                CHECK(same_bits(y.data(), want.data(), n, &at));
            }
}

TEST_CASE("bias_activate equals the plain per-element formulas bit for bit", "[layers][fast]") {
    using dn::Activation;
    for (Activation act : {Activation::linear, Activation::leaky, Activation::relu, Activation::logistic,
                           Activation::ramp})
        for (int spatial : {1, 35, 169, 4096})
            for (int n : {1, 3, 17})
                for (int batch : {1, 2}) {
                    const std::size_t total = std::size_t(batch) * n * spatial;
                    const auto x = awkward_values(total, uint32_t(spatial * 31 + n * 7 + batch));
                    auto bias = awkward_values(std::size_t(n), uint32_t(n + 99));
                    bias[0] = 0.25f;
                    std::vector<float> ref = x;
                    for (int bf = 0; bf < batch * n; ++bf)
                        for (int i = 0; i < spatial; ++i) {
                            float& r = ref[std::size_t(bf) * spatial + i];
                            const float v = r + bias[bf % n];
                            if (act == Activation::leaky)
                                r = v > 0 ? v : static_cast<float>(.1 * v);
                            else if (act == Activation::relu)
                                r = v > 0 ? v : 0.f;
                            else if (act == Activation::logistic)
                                r = static_cast<float>(1. / (1. + std::exp(-double(v))));
                            else
                                r = dn::activate(v, act);
                        }
                    for (int threads : {1, 2}) {
                        std::vector<float> y = x;
                        dn::bias_activate(y.data(), batch, n, spatial, bias.data(), act, threads);
                        std::size_t at = 0;
                        INFO(dn::activation_name(act) << " batch " << batch << " n " << n << " spatial " << spatial
                                                      << " threads " << threads);
                        CHECK(same_bits(y.data(), ref.data(), total, &at));
                    }
                }
}

TEST_CASE("yolo: logistic on x, y, objectness and classes, bit for bit, any thread count", "[layers][fast]") {
    for (int side : {1, 5, 26})
        for (int classes : {1, 80}) {
            const int c = 3 * (5 + classes), wh = side * side;
            const auto x = awkward_values(std::size_t(c) * wh, uint32_t(side * 7 + classes));
            std::vector<float> ref = x;
            for (int n = 0; n < 3; ++n) {
                float* a = ref.data() + std::size_t(n) * (5 + classes) * wh;
                for (int i = 0; i < 2 * wh; ++i) a[i] = dn::activate(a[i], dn::Activation::logistic);
                for (int i = 4 * wh; i < (5 + classes) * wh; ++i) a[i] = dn::activate(a[i], dn::Activation::logistic);
            }
            for (int threads : {1, 2, 3}) {
                auto net = net_threads(net_header(side, side, c) + "[yolo]\nclasses=" + std::to_string(classes) +
                                           "\nnum=3\n", threads);
                const auto y = run(*net, x);
                INFO("side " << side << " classes " << classes << " threads " << threads);
                CHECK(same_bits(y.data(), ref.data(), ref.size()));
            }
        }
}

TEST_CASE("connected: the same bits at 1, 2 and 3 threads", "[layers][blas]") {
    // Odd inputs and outputs, batch 3: the layer's own sums (connected_layer.cpp) are dealt
    // out in blocks of outputs, each one chain whatever the thread count.
    const int shapes[][3] = {{1, 4099, 1000}, {3, 1024, 1037}, {2, 777, 61}};  // batch, inputs, outputs
    for (const auto& s : shapes) {
        const int batch = s[0], inputs = s[1], outputs = s[2];
        const auto x = awkward_values(std::size_t(batch) * inputs, uint32_t(inputs));
        auto w = awkward_values(std::size_t(inputs) * outputs, uint32_t(outputs));
        for (float& v : w) v = std::isfinite(v) ? std::fmod(v, 1.0f) : 0.5f;
        std::vector<float> in = x;
        for (float& v : in) v = std::isfinite(v) ? std::fmod(v, 4.0f) : -1.0f;
        std::vector<float> first;
        for (int threads : {1, 2, 3}) {
            auto net = net_threads("[net]\nbatch=" + std::to_string(batch) + "\nwidth=" + std::to_string(inputs) +
                                       "\nheight=1\nchannels=1\n[connected]\nactivation=linear\noutput=" +
                                       std::to_string(outputs) + "\n",
                                   threads);
            set_params(*net->layers[0], {std::vector<float>(outputs, 0.25f), w});
            const auto y = run(*net, in);
            INFO("batch " << batch << " inputs " << inputs << " outputs " << outputs << " threads " << threads);
            if (first.empty()) first = y;
            CHECK(same_bits(y.data(), first.data(), first.size()));
        }
    }
}

TEST_CASE("avgpool, upsample and route equal plain loops bit for bit", "[layers][fast]") {
    // w, h, c; the last is large enough for the threaded paths of route and upsample.
    const int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {13, 13, 17}, {128, 96, 33}};
    for (const auto& s : shapes) {
        const int w = s[0], h = s[1], c = s[2];
        const std::size_t plane = std::size_t(w) * h, total = plane * c;
        auto x = awkward_values(total, uint32_t(total));
        for (float& v : x)
            if (!std::isfinite(v)) v = 3.5f;  // sums: keep them finite so the order shows
        for (int threads : {1, 2}) {
            INFO("w" << w << " h" << h << " c" << c << " threads " << threads);
            {
                auto net = net_threads(net_header(w, h, c) + "[avgpool]\n", threads);
                const auto y = run(*net, x);
                std::vector<float> ref(c);
                for (int k = 0; k < c; ++k) {
                    float sum = 0;
                    for (std::size_t i = 0; i < plane; ++i) sum += x[k * plane + i];
                    ref[k] = sum / static_cast<int>(plane);
                }
                CHECK(same_bits(y.data(), ref.data(), ref.size()));
            }
            for (int stride : {1, 2, 3})
                for (const char* scale : {"1", "0.5"}) {
                    INFO("upsample stride " << stride << " scale " << scale);
                    auto net = net_threads(net_header(w, h, c) + "[upsample]\nstride=" + std::to_string(stride) +
                                               "\nscale=" + scale + "\n", threads);
                    const auto y = run(*net, x);
                    const float sc = std::strtof(scale, nullptr);
                    const int W = w * stride, H = h * stride;
                    std::vector<float> ref(std::size_t(W) * H * c);
                    for (int k = 0; k < c; ++k)
                        for (int j = 0; j < H; ++j)
                            for (int i = 0; i < W; ++i)
                                ref[(std::size_t(k) * H + j) * W + i] = sc * x[k * plane + std::size_t(j / stride) * w + i / stride];
                    CHECK(same_bits(y.data(), ref.data(), ref.size()));
                }
            if (w % 2 == 0 && h % 2 == 0) {
                auto net = net_threads(net_header(w, h, c) + "[upsample]\nstride=-2\nscale=0.5\n", threads);
                const auto y = run(*net, x);
                const int W = w / 2, H = h / 2;
                std::vector<float> ref(std::size_t(W) * H * c, 0.f);
                for (int k = 0; k < c; ++k)
                    for (int j = 0; j < h; ++j)
                        for (int i = 0; i < w; ++i)
                            ref[(std::size_t(k) * H + j / 2) * W + i / 2] += 0.5f * x[k * plane + std::size_t(j) * w + i];
                CHECK(same_bits(y.data(), ref.data(), ref.size()));
            }
            {
                // Routes over three layers, against the same layers without routes: 2,0,1 (its
                // sources are placed in its buffer), 0,2 (already placed: copies), 1,1 (a
                // repeated source: copies) and 5,4 (routes as sources).
                const std::string layers3 = net_header(w, h, c) +
                                            "[upsample]\nstride=1\n[upsample]\nstride=1\nscale=2\n"
                                            "[upsample]\nstride=1\nscale=0.25\n";
                auto plain = net_threads(layers3, threads);
                run(*plain, x);
                auto net = net_threads(layers3 + "[route]\nlayers=2,0,1\n[route]\nlayers=0,2\n[route]\nlayers=1,1\n"
                                                  "[route]\nlayers=5,4\n",
                                       threads);
                run(*net, x);
                auto part = [&](int l) { return plain->layer(l).output(); };
                const int expect[][3] = {{2, 0, 1}, {0, 2, -1}, {1, 1, -1}};
                std::vector<std::vector<float>> routes;
                for (int r = 0; r < 3; ++r) {
                    std::vector<float> ref;
                    for (int l : expect[r])
                        if (l >= 0) ref.insert(ref.end(), part(l), part(l) + total);
                    INFO("route " << 3 + r);
                    CHECK(same_bits(net->layer(3 + r).output(), ref.data(), ref.size()));
                    routes.push_back(ref);
                }
                std::vector<float> ref = routes[2];
                ref.insert(ref.end(), routes[1].begin(), routes[1].end());
                CHECK(same_bits(net->layer(6).output(), ref.data(), ref.size()));
                CHECK(net->layer(2).output_placed());
                CHECK(net->layer(0).output_placed());
                CHECK(net->layer(1).output_placed());
                CHECK(net->layer(5).output_placed());  // route 1,1 copies, but is itself placed in 5,4
                CHECK_FALSE(net->layer(3).output_placed());  // hosts placed sources
            }
        }
    }
}

// Upstream's -Ofast build sums a [connected] output in four lanes (k mod 4), reduced as
// (s0 + s2) + (s1 + s3), then the rest in order (connected_layer.cpp). With inputs
// 1e8, 1, -1e8, 1 and unit weights (1e8 + 1 rounds to 1e8 in float): that order gives
// (1e8 - 1e8) + (1 + 1) = 2; one running sum gives 1, and (s0 + s1) + (s2 + s3) gives 0. A
// fifth input of 1 is added after the reduction: 3.
TEST_CASE("connected: sums in upstream's lane order", "[layers]") {
    auto net = dn_test::net_from_text("[net]\nwidth=5\nheight=1\nchannels=1\n[connected]\nactivation=linear\noutput=3\n");
    set_params(*net->layers[0], {{0.f, 0.f, 0.f}, {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0}});
    const auto y = run(*net, {1e8f, 1, -1e8f, 1, 1});
    CHECK(y[0] == 2.f);
    CHECK(y[1] == 3.f);
    CHECK(y[2] == 2.f);  // the second and fourth inputs only
}

// The kernels stream whole vectors from the starts of these buffers; 16 bytes past a cache
// line, every access splits two lines (aligned.h: winograd4 took 1.4x its time).
TEST_CASE("activations, packed weights and the aligned allocator sit on 64-byte lines", "[layers][aligned]") {
    auto on_line = [](const void* p) { return p && reinterpret_cast<std::uintptr_t>(p) % dn::kBufferAlign == 0; };
    for (std::size_t n : {1u, 3u, 17u, 1000u, 70000u, 1u << 20}) {
        dn::FloatBuffer b(n);
        CAPTURE(n);
        CHECK(on_line(b.data()));
    }
    // Large outputs (malloc maps those, 16 bytes past a page) and small ones.
    auto net = dn_test::net_from_text(
        "[net]\nwidth=130\nheight=130\nchannels=3\n"
        "[convolutional]\nfilters=20\nsize=3\npad=1\nactivation=leaky\n"
        "[maxpool]\nsize=2\nstride=2\n"
        "[convolutional]\nfilters=5\nsize=1\nactivation=linear\n");
    net->finalize();
    for (int i = 0; i < net->size(); ++i) {
        CAPTURE(i);
        CHECK(on_line(net->layer(i).output()));
    }
    const dn::ConvParams& p = dynamic_cast<const dn::ConvolutionalLayer&>(net->layer(0)).conv_params();
    std::vector<float> w(p.weight_size(), 0.5f);
    CHECK(on_line(dn::pack_weights(p, w.data(), 12).a.data()));
}
