// Every backend in the table against the reference convolution (ref_conv.cpp): a sampled
// shape grid by default, the full grid and real network layers under [slow], seeded random
// shapes, plus the registry lookups and ConvParams::finish() validation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "conv_backend.h"
#include "conv_packed.h"
#include "ref_conv.h"

using dn::ConvBackend;
using dn::ConvParams;

namespace {

enum class Data { integers, floats };

const char* data_name(Data mode) { return mode == Data::integers ? "integers" : "floats"; }

// Integers: values in [-4,4], about 25% zeros. Every product and partial sum is an integer
// far below 2^24 for our shapes (at most 16 * 512*3*3), so float arithmetic is exact in any
// order and all backends must match the reference exactly. Floats: uniform in [-1,1].
void fill(std::vector<float>& v, Data mode, std::mt19937& rng) {
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::uniform_int_distribution<int> nonzero(1, 4), coin(0, 3);
    for (float& x : v) {
        if (mode == Data::floats) {
            x = uniform(rng);
        } else {
            const int mag = nonzero(rng);
            const int pick = coin(rng);  // 0: zero, 1: negative, 2-3: positive
            x = pick == 0 ? 0.0f : float(pick == 1 ? -mag : mag);
        }
    }
}

// One shape with one data set: inputs, the reference output and the allowed error.
struct Problem {
    ConvParams p;
    Data mode = Data::integers;
    std::uint32_t seed = 0;
    std::vector<float> in, w;
    std::vector<double> ref;
    double tol = 0.0;
};

Problem make_problem(const ConvParams& p, Data mode, std::uint32_t seed) {
    Problem pr;
    pr.p = p;
    pr.mode = mode;
    pr.seed = seed;
    std::mt19937 rng(seed);
    pr.in.resize(p.input_size());
    pr.w.resize(p.weight_size());
    fill(pr.in, mode, rng);
    fill(pr.w, mode, rng);
    pr.ref.resize(p.output_size());
    dn_test::ref_conv(p, pr.in.data(), pr.w.data(), pr.ref.data());
    // Rounding in a float sum of L terms grows like sqrt(L) * 2^-24 * |partial sums| on
    // random data; 1e-5 * sqrt(L) * max(1, max|ref|) leaves a margin of about 100x over
    // that, yet a single missing or extra tap (|w*x| ~ 0.25) still fails small layers.
    // Integers are compared exactly, except for backends that are not exact on them
    // (exact_on_integers), which get this tolerance too.
    double max_ref = 1.0;
    for (double r : pr.ref) max_ref = std::max(max_ref, std::fabs(r));
    const double len = double(p.in_per_group()) * p.ksize * p.ksize;
    pr.tol = 1e-5 * std::sqrt(len) * max_ref;
    return pr;
}

// "(n,c,y,x)=(0,3,2,1)" for a flat NCHW output index.
std::string coords(const ConvParams& p, std::size_t i) {
    const std::size_t x = i % p.out_w, y = i / p.out_w % p.out_h;
    const std::size_t c = i / (std::size_t(p.out_w) * p.out_h) % p.filters;
    const std::size_t n = i / (std::size_t(p.out_w) * p.out_h * p.filters);
    std::ostringstream s;
    s << "(n,c,y,x)=(" << n << ',' << c << ',' << y << ',' << x << ')';
    return s.str();
}

// Canaries after the workspace and the output catch out-of-bounds writes; the workspace
// itself starts as a NaN pattern so a backend cannot rely on it being zeroed.
constexpr std::size_t kCanaryFloats = 16;
constexpr std::uint32_t kCanaryBits = 0xA5A5A5A5u;
constexpr std::uint32_t kPoisonBits = 0x7FC0DEADu;  // a quiet NaN

float from_bits(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

bool has_bits(const float* v, std::size_t count, std::uint32_t bits) {
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t b;
        std::memcpy(&b, &v[i], sizeof b);
        if (b != bits) return false;
    }
    return true;
}

// Backends whose workspace is one slot per core (conv_packed.cpp): fewer threads leave
// slots unused, so their workspace_bytes is an upper bound rather than exact.
bool per_thread_workspace(const ConvBackend& b) { return std::string(b.name) == "packed"; }

// Runs one backend once. Returns the output; *problem is empty when the run kept to its
// contract (canaries intact, inputs untouched, workspace_bytes not over-reported).
std::vector<float> run_backend(const ConvBackend& b, const Problem& pr, const dn::ConvPlan* plan,
                               int threads, std::string* problem) {
    const ConvParams& p = pr.p;
    const std::size_t ws_bytes = b.workspace_bytes(p);
    if (ws_bytes % sizeof(float) != 0) {
        *problem = "workspace_bytes is not a multiple of sizeof(float)";
        return {};
    }
    const std::size_t ws_floats = ws_bytes / sizeof(float);
    std::vector<float> ws(ws_floats + kCanaryFloats, from_bits(kPoisonBits));
    std::fill(ws.begin() + ws_floats, ws.end(), from_bits(kCanaryBits));
    std::vector<float> out(p.output_size() + kCanaryFloats,
                           std::numeric_limits<float>::quiet_NaN());
    std::fill(out.begin() + p.output_size(), out.end(), from_bits(kCanaryBits));
    const std::vector<float> in = pr.in, w = pr.w;

    b.forward(p, plan, in.data(), w.data(), out.data(), ws.data(), dn::ConvContext{threads});

    if (!has_bits(out.data() + p.output_size(), kCanaryFloats, kCanaryBits))
        *problem = "wrote past the end of the output";
    else if (!has_bits(ws.data() + ws_floats, kCanaryFloats, kCanaryBits))
        *problem = "wrote past workspace_bytes";
    else if (ws_floats > 0 && !per_thread_workspace(b) && has_bits(ws.data() + ws_floats - 1, 1, kPoisonBits))
        *problem = "never wrote the last workspace float: workspace_bytes over-reports";
    else if (in != pr.in || w != pr.w)
        *problem = "modified its input or weights";
    out.resize(p.output_size());
    return out;
}

double tolerance_factor(const ConvBackend& b);

// Empty if out matches the reference within pr.tol (exactly for integers when `exact`);
// otherwise the first mismatch with expected and actual values. NaN (an unwritten output)
// never matches.
std::string compare(const Problem& pr, const std::vector<float>& out, double factor = 1.0, bool exact = true) {
    std::size_t bad = 0, first = 0;
    const double tol = pr.tol * factor;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const bool ok = pr.mode == Data::integers && exact ? double(out[i]) == pr.ref[i]
                                                  : std::fabs(double(out[i]) - pr.ref[i]) <= tol;
        if (!ok && bad++ == 0) first = i;
    }
    if (bad == 0) return {};
    std::ostringstream s;
    s.precision(9);
    s << "first mismatch at " << coords(pr.p, first) << ": expected " << pr.ref[first]
      << ", actual " << out[first] << " (" << bad << " of " << out.size()
      << " outputs wrong, tolerance " << tol << ")";
    return s.str();
}

// Backends whose sums would be split by a multithreaded BLAS. OpenBLAS does not promise
// results independent of its thread count, and 0.3.21 here does not deliver them: its 1- and
// 2-thread sgemm differ in the last bits for most shapes (e.g. m4 n4000 k32). Nor is a
// column's result independent of where it falls in one call (edge kernels; Zen and Haswell
// kernels), so our GEMM backends call it single-threaded on tiles whose sizes do not follow
// the thread count (conv_gemm.h), and none is listed here; a backend that hands threading
// to BLAS would be held to the reference tolerance for 1 vs 2 threads in float mode
// (integer mode stays exact).
bool sums_in_blas(const ConvBackend& b) {
    const std::string name = b.name;
    (void)name;
    return false;  // none since conv_gemm.h cuts GEMMs in fixed tiles; kept for new backends
}

// Winograd's transforms add and subtract up to 4 terms on each side of the products, so its
// rounding error on random floats is a few times a direct sum's: F(2x2,3x3) gets 10x the
// tolerance. F(4x4,3x3)'s transforms have coefficients up to 8 and its weights carry 1/6
// and 1/24, which no float holds exactly, so it is not exact on integers; its worst error on
// these grids was 0.15 of the direct tolerance (floats; 0.09 on integers) where the others
// stay under 0.007: it gets 3x.
double tolerance_factor(const ConvBackend& b) {
    const std::string name = b.name;
    return name == "winograd4" ? 3.0 : name == "winograd" ? 10.0 : 1.0;
}
bool exact_on_integers(const ConvBackend& b) { return std::string(b.name) != "winograd4"; }

// Empty if a and b are the same bits; otherwise where they first differ.
std::string bitwise_diff(const ConvParams& p, const std::vector<float>& a,
                         const std::vector<float>& b, const char* what) {
    if (std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0) return {};
    std::size_t i = 0;
    while (std::memcmp(&a[i], &b[i], sizeof(float)) == 0) ++i;
    std::ostringstream s;
    s.precision(9);
    s << what << " differ at " << coords(p, i) << ": " << a[i] << " vs " << b[i];
    return s.str();
}

// Runs the backend with 1 thread, then twice with 2. Every run must match the reference; the
// two 2-thread runs must be the same bits (no races), and so must 1 vs 2 threads, since each
// output is summed in one fixed order whatever the thread count (see sums_in_blas).
void check_backend(const ConvBackend& b, const Problem& pr) {
    std::unique_ptr<dn::ConvPlan> plan;
    if (b.prepare) plan = b.prepare(pr.p, pr.w.data());
    std::string problem;
    std::vector<float> outs[3];
    const int threads[3] = {1, 2, 2};
    for (int r = 0; r < 3 && problem.empty(); ++r) {
        outs[r] = run_backend(b, pr, plan.get(), threads[r], &problem);
        if (problem.empty()) problem = compare(pr, outs[r], tolerance_factor(b), exact_on_integers(b));
        if (!problem.empty()) problem = "threads=" + std::to_string(threads[r]) + ": " + problem;
    }
    if (problem.empty()) problem = bitwise_diff(pr.p, outs[1], outs[2], "two runs with threads=2");
    if (problem.empty() && (pr.mode == Data::integers || !sums_in_blas(b)))
        problem = bitwise_diff(pr.p, outs[0], outs[1], "threads=1 and threads=2");
    INFO("backend " << b.name << ", " << pr.p.to_string() << ", seed " << pr.seed << ", "
                    << data_name(pr.mode) << ": " << problem);
    CHECK(problem.empty());
}

// Counts shapes, backend runs and skips; prints one summary line, with skip reasons.
struct Tally {
    int shapes = 0, runs = 0, skipped = 0;
    std::map<std::string, int> reasons;  // "backend: reason" -> shapes

    void report(const char* what) const {
        std::fprintf(stderr, "conv %s: %d shapes, %d backend checks, %d skipped\n", what, shapes,
                     runs, skipped);
        for (const auto& [reason, count] : reasons)
            std::fprintf(stderr, "  skipped %d x %s\n", count, reason.c_str());
    }
};

// Checks one shape on every backend that supports it, with both data sets. MCMK must
// support every valid shape: it ends the table, so the selection walk relies on it.
void check_shape(const ConvParams& p, std::uint32_t seed, Tally& tally) {
    std::vector<const ConvBackend*> runnable;
    for (const ConvBackend* const* b = dn::conv_backends(); *b; ++b) {
        const char* why = "no reason given";
        if ((*b)->supports(p, &why)) {
            runnable.push_back(*b);
            continue;
        }
        INFO("backend " << (*b)->name << ", " << p.to_string() << ": " << why);
        CHECK(std::string((*b)->name) != "mcmk");
        ++tally.skipped;
        ++tally.reasons[std::string((*b)->name) + ": " + why];
    }
    for (Data mode : {Data::integers, Data::floats}) {
        const Problem pr = make_problem(p, mode, seed);
        for (const ConvBackend* b : runnable) {
            check_backend(*b, pr);
            ++tally.runs;
        }
    }
    ++tally.shapes;
}

// Per-shape data seed from the run seed (--rng-seed) and the shape's index.
std::uint32_t shape_seed(std::uint32_t run_seed, std::uint32_t index) {
    std::uint64_t z = (std::uint64_t(run_seed) << 32 | index) + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return std::uint32_t(z ^ (z >> 31));
}

// The grid's sets. Odd channel counts (3, 7, 17) reach vector tails; 31x17 is non-square.
const int kKernels[] = {1, 2, 3, 5, 7, 11};
const int kStrides[] = {1, 2, 3, 4};
const int kDilations[] = {1, 2};
const int kChannels[] = {1, 3, 4, 7, 16, 17};
const int kSizes[][2] = {{1, 1}, {5, 7}, {13, 13}, {31, 17}};  // h, w
const int kBatches[] = {1, 2};
enum class Groups { one, two, depthwise };
const Groups kGroups[] = {Groups::one, Groups::two, Groups::depthwise};

// pad 0, 1, ksize/2 (Darknet's pad=1) and the largest that still reads input, ksize-1.
std::vector<int> pads_for(int k) {
    std::vector<int> pads = {0, 1, k / 2, k - 1};
    std::sort(pads.begin(), pads.end());
    pads.erase(std::unique(pads.begin(), pads.end()), pads.end());
    return pads;
}

// The (ksize, stride, pad, dilation, groups) part of a grid shape.
struct Geometry {
    int k, s, pad, d;
    Groups g;
};

std::vector<Geometry> grid_geometries() {
    std::vector<Geometry> all;
    for (int k : kKernels)
        for (int s : kStrides)
            for (int pad : pads_for(k))
                for (int d : kDilations)
                    for (Groups g : kGroups) all.push_back({k, s, pad, d, g});
    return all;
}

// Completes a geometry with the size part; false if the result is invalid, or depthwise
// with c <= 2 (then it duplicates groups 1 or 2).
bool make_shape(const Geometry& geo, int c, int filters, int h, int w, int batch,
                ConvParams* out) {
    ConvParams p;
    p.batch = batch;
    p.c = c;
    p.h = h;
    p.w = w;
    p.filters = filters;
    p.ksize = geo.k;
    p.stride = geo.s;
    p.pad = geo.pad;
    p.dilation = geo.d;
    p.groups = geo.g == Groups::one ? 1 : geo.g == Groups::two ? 2 : c;
    if (geo.g == Groups::depthwise && c <= 2) return false;
    if (!p.finish()) return false;
    *out = p;
    return true;
}

// The size part of the grid, (c, filters, h x w, batch), as one index in [0, 288).
constexpr int kSizeChoices = 6 * 6 * 4 * 2;

bool make_shape(const Geometry& geo, int choice, ConvParams* out) {
    const int c = kChannels[choice % 6], filters = kChannels[choice / 6 % 6];
    const int* hw = kSizes[choice / 36 % 4];
    return make_shape(geo, c, filters, hw[0], hw[1], kBatches[choice / 144], out);
}

// The default grid: every geometry, each completed with kPerGeometry size choices taken in
// turn from a cycle through all 288 (stepping by 97, coprime to 288, so consecutive
// geometries get unrelated sizes), skipping choices that make the shape invalid.
std::vector<ConvParams> sampled_grid() {
    constexpr int kPerGeometry = 3;
    std::vector<ConvParams> shapes;
    int cursor = 0;
    for (const Geometry& geo : grid_geometries()) {
        int found = 0;
        for (int tries = 0; tries < kSizeChoices && found < kPerGeometry; ++tries) {
            ConvParams p;
            cursor = (cursor + 97) % kSizeChoices;
            if (make_shape(geo, cursor, &p)) {
                shapes.push_back(p);
                ++found;
            }
        }
    }
    return shapes;
}

}  // namespace

TEST_CASE("conv backends match the reference on the sampled grid", "[conv]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    const std::vector<ConvParams> shapes = sampled_grid();
    // Each geometry except the few no size choice can host (11x11 dilated, unpadded).
    REQUIRE(shapes.size() > 2 * grid_geometries().size());
    Tally tally;
    for (std::size_t i = 0; i < shapes.size(); ++i)
        check_shape(shapes[i], shape_seed(seed, std::uint32_t(i)), tally);
    tally.report("sampled grid");
}

TEST_CASE("conv backends match the reference on the full grid", "[.slow][conv]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    Tally tally;
    std::uint32_t index = 0;
    for (const Geometry& geo : grid_geometries())
        for (int choice = 0; choice < kSizeChoices; ++choice) {
            ConvParams p;
            if (make_shape(geo, choice, &p)) check_shape(p, shape_seed(seed, index++), tally);
        }
    tally.report("full grid");
}

TEST_CASE("conv backends match the reference on random shapes", "[conv]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    std::mt19937 rng(seed);
    auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    constexpr int kDraws = 150;
    Tally tally;
    for (int i = 0; i < kDraws; ++i) {
        ConvParams p;
        do {
            const int kernels[] = {1, 2, 3, 4, 5, 7, 9, 11};
            p.ksize = kernels[pick(0, 7)];
            p.stride = pick(1, 4);
            p.dilation = pick(1, 3);
            p.pad = pick(0, p.ksize);
            const bool depthwise = pick(0, 4) == 0;
            p.groups = depthwise ? pick(1, 24) : pick(1, 4);
            p.c = p.groups * (depthwise ? 1 : pick(1, 8));
            p.filters = p.groups * (depthwise ? pick(1, 2) : pick(1, 8));
            p.h = pick(1, 40);
            p.w = pick(1, 40);
            p.batch = pick(1, 3);
        } while (!p.finish());
        check_shape(p, shape_seed(seed, std::uint32_t(i)), tally);
    }
    tally.report("random shapes");
}

namespace {

// Convolutional layers of real networks, one per distinct shape, named network.layer
// (Darknet's layer index). Sizes follow Darknet's maxpool rule, out = (in + size-1 - size)
// / stride + 1. SqueezeNet is v1.1 as in Darknet-format squeezenet.cfg, plus v1.0's conv1.
struct NamedShape {
    const char* name;
    int c, h, w, filters, ksize, stride, pad;
};

const NamedShape kNetworkLayers[] = {
    {"tiny-darknet-224.0", 3, 224, 224, 16, 3, 1, 1},
    {"tiny-darknet-224.2", 16, 112, 112, 32, 3, 1, 1},
    {"tiny-darknet-224.4", 32, 56, 56, 16, 1, 1, 0},
    {"tiny-darknet-224.5", 16, 56, 56, 128, 3, 1, 1},
    {"tiny-darknet-224.6", 128, 56, 56, 16, 1, 1, 0},
    {"tiny-darknet-224.9", 128, 28, 28, 32, 1, 1, 0},
    {"tiny-darknet-224.10", 32, 28, 28, 256, 3, 1, 1},
    {"tiny-darknet-224.11", 256, 28, 28, 32, 1, 1, 0},
    {"tiny-darknet-224.14", 256, 14, 14, 64, 1, 1, 0},
    {"tiny-darknet-224.15", 64, 14, 14, 512, 3, 1, 1},
    {"tiny-darknet-224.16", 512, 14, 14, 64, 1, 1, 0},
    {"tiny-darknet-224.18", 512, 14, 14, 128, 1, 1, 0},
    {"tiny-darknet-224.19", 128, 14, 14, 1000, 1, 1, 0},
    {"squeezenet1.0-227.conv1", 3, 227, 227, 96, 7, 2, 0},
    {"squeezenet1.1-227.0", 3, 227, 227, 64, 3, 2, 0},
    {"squeezenet1.1-227.fire2.squeeze", 64, 57, 57, 16, 1, 1, 0},
    {"squeezenet1.1-227.fire2.expand1x1", 16, 57, 57, 64, 1, 1, 0},
    {"squeezenet1.1-227.fire2.expand3x3", 16, 57, 57, 64, 3, 1, 1},
    {"squeezenet1.1-227.fire3.squeeze", 128, 57, 57, 16, 1, 1, 0},
    {"squeezenet1.1-227.fire4.squeeze", 128, 29, 29, 32, 1, 1, 0},
    {"squeezenet1.1-227.fire4.expand1x1", 32, 29, 29, 128, 1, 1, 0},
    {"squeezenet1.1-227.fire4.expand3x3", 32, 29, 29, 128, 3, 1, 1},
    {"squeezenet1.1-227.fire5.squeeze", 256, 29, 29, 32, 1, 1, 0},
    {"squeezenet1.1-227.fire6.squeeze", 256, 15, 15, 48, 1, 1, 0},
    {"squeezenet1.1-227.fire6.expand1x1", 48, 15, 15, 192, 1, 1, 0},
    {"squeezenet1.1-227.fire6.expand3x3", 48, 15, 15, 192, 3, 1, 1},
    {"squeezenet1.1-227.fire7.squeeze", 384, 15, 15, 48, 1, 1, 0},
    {"squeezenet1.1-227.fire8.squeeze", 384, 15, 15, 64, 1, 1, 0},
    {"squeezenet1.1-227.fire8.expand1x1", 64, 15, 15, 256, 1, 1, 0},
    {"squeezenet1.1-227.fire8.expand3x3", 64, 15, 15, 256, 3, 1, 1},
    {"squeezenet1.1-227.fire9.squeeze", 512, 15, 15, 64, 1, 1, 0},
    {"squeezenet1.1-227.conv10", 512, 15, 15, 1000, 1, 1, 0},
    {"yolov3-tiny-416.0", 3, 416, 416, 16, 3, 1, 1},
    {"yolov3-tiny-416.2", 16, 208, 208, 32, 3, 1, 1},
    {"yolov3-tiny-416.4", 32, 104, 104, 64, 3, 1, 1},
    {"yolov3-tiny-416.6", 64, 52, 52, 128, 3, 1, 1},
    {"yolov3-tiny-416.8", 128, 26, 26, 256, 3, 1, 1},
    {"yolov3-tiny-416.10", 256, 13, 13, 512, 3, 1, 1},
    {"yolov3-tiny-416.12", 512, 13, 13, 1024, 3, 1, 1},
    {"yolov3-tiny-416.13", 1024, 13, 13, 256, 1, 1, 0},
    {"yolov3-tiny-416.14", 256, 13, 13, 512, 3, 1, 1},
    {"yolov3-tiny-416.15", 512, 13, 13, 255, 1, 1, 0},
    {"yolov3-tiny-416.18", 256, 13, 13, 128, 1, 1, 0},
    {"yolov3-tiny-416.21", 384, 26, 26, 256, 3, 1, 1},
    {"yolov3-tiny-416.22", 256, 26, 26, 255, 1, 1, 0},
};

}  // namespace

TEST_CASE("conv backends match the reference on real network layers", "[.slow][conv]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    Tally tally;
    std::uint32_t index = 0;
    for (const NamedShape& l : kNetworkLayers) {
        INFO("layer " << l.name);
        ConvParams p;
        p.c = l.c;
        p.h = l.h;
        p.w = l.w;
        p.filters = l.filters;
        p.ksize = l.ksize;
        p.stride = l.stride;
        p.pad = l.pad;
        REQUIRE(p.finish());
        check_shape(p, shape_seed(seed, index++), tally);
    }
    tally.report("network layers");
}

namespace {

// `packed` and `direct` with the I-th available microkernel instead of the default one.
template <int I>
std::unique_ptr<dn::ConvPlan> packed_prepare_kernel(const ConvParams& p, const float* w) {
    return dn::packed_prepare_with(p, w, *dn::gemm_kernels_available()[I]);
}
template <int I>
std::unique_ptr<dn::ConvPlan> direct_prepare_kernel(const ConvParams& p, const float* w) {
    return dn::direct_prepare_with(p, w, *dn::gemm_kernels_available()[I]);
}

template <int I>
std::unique_ptr<dn::ConvPlan> winograd_prepare_kernel(const ConvParams& p, const float* w) {
    return dn::winograd_prepare_with(p, w, *dn::gemm_kernels_available()[I]);
}

using PrepareFn = std::unique_ptr<dn::ConvPlan> (*)(const ConvParams&, const float*);
constexpr PrepareFn kPackedPrepares[] = {packed_prepare_kernel<0>, packed_prepare_kernel<1>,
                                         packed_prepare_kernel<2>};
constexpr PrepareFn kDirectPrepares[] = {direct_prepare_kernel<0>, direct_prepare_kernel<1>,
                                         direct_prepare_kernel<2>};
constexpr PrepareFn kWinogradPrepares[] = {winograd_prepare_kernel<0>, winograd_prepare_kernel<1>,
                                           winograd_prepare_kernel<2>};
template <int I>
std::unique_ptr<dn::ConvPlan> winograd4_prepare_kernel(const ConvParams& p, const float* w) {
    return dn::winograd4_prepare_with(p, w, *dn::gemm_kernels_available()[I]);
}
constexpr PrepareFn kWinograd4Prepares[] = {winograd4_prepare_kernel<0>, winograd4_prepare_kernel<1>,
                                            winograd4_prepare_kernel<2>};

// One row of the shape tables below, {c, h, w, filters, ksize, stride, pad, groups}, as a
// finished ConvParams.
ConvParams shape_of(const int (&m)[8]) {
    ConvParams p;
    p.c = m[0], p.h = m[1], p.w = m[2], p.filters = m[3], p.ksize = m[4], p.stride = m[5];
    p.pad = m[6], p.groups = m[7];
    REQUIRE(p.finish());
    return p;
}

}  // namespace

// The grid above runs `packed`, `direct` and both Winograds with the best kernel this CPU has;
// this runs every kernel it can (AVX-512, AVX2, portable: NR 32 or 16, so Winograd's tile
// runs are cut at other panel ends) on the sampled grid and on mid-size shapes that reach
// several K blocks (K > 512), column blocks and row panels with tails.
TEST_CASE("packed and direct and winograd(4) match the reference with every microkernel", "[conv][packed]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    const auto& kernels = dn::gemm_kernels_available();
    REQUIRE(!kernels.empty());
    REQUIRE(kernels.size() <= std::size(kPackedPrepares));
    CHECK(std::string(kernels.back()->isa) == "generic");
    // The default is the best kernel this CPU runs, or the one DARKNET_ISA names (make test
    // runs under each DARKNET_ISA too); the loop below covers every kernel either way.
    const char* isa_env = std::getenv("DARKNET_ISA");
    const dn::GemmKernel* named = isa_env && *isa_env ? dn::find_gemm_kernel(isa_env) : nullptr;
    CHECK(&dn::gemm_kernel_default() == (named ? named : kernels.front()));
    std::vector<ConvParams> shapes = sampled_grid();
    const int mid[][8] = {
        // c, h, w, filters, ksize, stride, pad, groups
        {64, 13, 13, 40, 3, 1, 1, 1},   {20, 30, 29, 19, 3, 2, 1, 1}, {130, 9, 11, 33, 1, 1, 0, 1},
        {600, 6, 7, 17, 1, 1, 0, 1},    {3, 61, 67, 16, 3, 1, 1, 1},  {48, 15, 15, 24, 3, 1, 1, 2},
        {1200, 3, 3, 9, 3, 1, 1, 1},    {8, 40, 40, 70, 5, 1, 2, 1},
        // Winograd: 13x14 and 4x20 numbered tiles (pad 0), 640 channels (two K blocks);
        // F(4x4): 7x7 tiles with a 2-row, 3-column tail (pad 0 and 2), 1x9 tiles, 11x11 (121
        // tiles: panel ends inside tile rows for NR 16 and 32, and F(4x4)'s transforms in
        // chunks of 5 tile rows, the last of one), 2x68 tiles (chunks of one tile row)
        {33, 26, 26, 21, 3, 1, 1, 1},   {9, 9, 40, 14, 3, 1, 0, 1},   {640, 5, 6, 13, 3, 1, 1, 1},
        {12, 28, 29, 10, 3, 1, 0, 1},   {5, 24, 23, 7, 3, 1, 2, 1},   {17, 3, 35, 9, 3, 1, 1, 1},
        {40, 44, 44, 30, 3, 1, 1, 1},   {3, 8, 270, 5, 3, 1, 1, 1},
    };
    for (const auto& m : mid) shapes.push_back(shape_of(m));
    int winograd_shapes = 0;
    for (std::size_t k = 0; k < kernels.size(); ++k) {
        ConvBackend packed = dn::conv_packed, direct = dn::conv_direct, winograd = dn::conv_winograd,
                    winograd4 = dn::conv_winograd4;
        packed.prepare = kPackedPrepares[k];
        direct.prepare = kDirectPrepares[k];
        winograd.prepare = kWinogradPrepares[k];
        winograd4.prepare = kWinograd4Prepares[k];
        INFO("microkernel " << kernels[k]->name);
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            const char* why = nullptr;
            const bool wino = winograd.supports(shapes[i], &why);
            winograd_shapes += wino;
            for (Data mode : {Data::integers, Data::floats}) {
                const Problem pr = make_problem(shapes[i], mode, shape_seed(seed, std::uint32_t(i)));
                check_backend(packed, pr);
                check_backend(direct, pr);
                if (wino) check_backend(winograd, pr);
                if (wino) check_backend(winograd4, pr);
            }
        }
    }
    CHECK(winograd_shapes >= 30 * int(kernels.size()));
}

namespace {

// Test epilogues in the layer's arithmetic (bias_activate_row), one per EpilogueKind the
// kernels compute in registers, and one they cannot (kind other: apply() runs after the
// store), each from its own code here.
void linear_epilogue(float* x, int n, float bias, const void*) {
    for (int i = 0; i < n; ++i) x[i] = x[i] + bias;
}
void relu_epilogue(float* x, int n, float bias, const void*) {
    for (int i = 0; i < n; ++i) {
        const float v = x[i] + bias;
        x[i] = v > 0 ? v : 0.f;
    }
}
void leaky_epilogue(float* x, int n, float bias, const void*) {
    for (int i = 0; i < n; ++i) {
        const float v = x[i] + bias;
        x[i] = v > 0 ? v : static_cast<float>(.1 * double(v));
    }
}
void ramp_like_epilogue(float* x, int n, float bias, const void*) {
    for (int i = 0; i < n; ++i) {
        const float v = x[i] + bias;
        x[i] = v * (v > 0) + 0.25f * v;
    }
}

}  // namespace

// A fusing backend must give the same bits as its plain output followed by the layer's pass,
// whether its kernels apply the epilogue in registers or call apply() on the stored tile.
// The epilogue kind cycles over the shapes. Returns the number of shapes checked.
static int check_fused(const ConvBackend& b, const std::vector<ConvParams>& shapes, std::uint32_t seed) {
    struct Kind {
        dn::EpilogueKind kind;
        void (*apply)(float*, int, float, const void*);
    };
    const Kind kinds[] = {{dn::EpilogueKind::leaky, leaky_epilogue},
                          {dn::EpilogueKind::relu, relu_epilogue},
                          {dn::EpilogueKind::linear, linear_epilogue},
                          {dn::EpilogueKind::other, ramp_like_epilogue}};
    int checked = 0;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const ConvParams& p = shapes[i];
        const char* why = nullptr;
        if (!b.supports(p, &why)) continue;
        const Kind& k = kinds[i % 4];
        const Problem pr = make_problem(p, Data::floats, shape_seed(seed, std::uint32_t(i)));
        std::vector<float> bias(p.filters);
        std::mt19937 rng(seed + std::uint32_t(i));
        fill(bias, Data::floats, rng);
        std::unique_ptr<dn::ConvPlan> plan;
        if (b.prepare) plan = b.prepare(p, pr.w.data());
        std::vector<float> ws(b.workspace_bytes(p) / sizeof(float) + 1);
        std::vector<float> plain(p.output_size()), fused(p.output_size());
        b.forward(p, plan.get(), pr.in.data(), pr.w.data(), plain.data(), ws.data(), dn::ConvContext{2});
        const std::size_t plane = std::size_t(p.out_h) * p.out_w;
        for (std::size_t row = 0; row < std::size_t(p.batch) * p.filters; ++row)
            k.apply(&plain[row * plane], int(plane), bias[row % p.filters], nullptr);
        dn::ConvEpilogue ep{bias.data(), k.apply, nullptr};
        ep.kind = k.kind;
        dn::ConvContext ctx{2};
        ctx.epilogue = &ep;
        b.forward(p, plan.get(), pr.in.data(), pr.w.data(), fused.data(), ws.data(), ctx);
        INFO("backend " << b.name << ", epilogue kind " << int(k.kind) << ", " << p.to_string());
        CHECK(bitwise_diff(p, plain, fused, "unfused and fused") == "");
        ++checked;
    }
    return checked;
}

TEST_CASE("fused epilogues equal the separate output pass", "[conv][packed]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    std::vector<ConvParams> shapes = sampled_grid();
    shapes.resize(std::min<std::size_t>(shapes.size(), 400));
    int fused_backends = 0;
    for (const ConvBackend* const* bp = dn::conv_backends(); *bp; ++bp) {
        if (!(*bp)->fuses_epilogue) continue;
        ++fused_backends;
        CHECK(check_fused(**bp, shapes, seed) > 0);
    }
    CHECK(fused_backends >= 1);
}

// The same with every microkernel: each has its own in-register bias and activation, and its
// own column runs (direct's tiles across row ends, including planes whose tiles span more
// rows than a tile has runs).
TEST_CASE("fused epilogues equal the separate output pass with every microkernel", "[conv][packed]") {
    const std::uint32_t seed = Catch::rngSeed();
    CAPTURE(seed);
    const auto& kernels = dn::gemm_kernels_available();
    std::vector<ConvParams> shapes = sampled_grid();
    shapes.resize(std::min<std::size_t>(shapes.size(), 200));
    const int extra[][8] = {
        // c, h, w, filters, ksize, stride, pad, groups: rows of 58, 30, 16, 9 and 5 padded columns
        {16, 56, 56, 30, 3, 1, 1, 1}, {32, 28, 28, 25, 3, 1, 1, 1}, {64, 14, 14, 13, 3, 1, 1, 1},
        {20, 7, 7, 12, 3, 1, 1, 1},   {600, 3, 3, 7, 3, 1, 1, 1},   {24, 13, 13, 50, 1, 1, 0, 1},
    };
    for (const auto& m : extra) shapes.push_back(shape_of(m));
    for (std::size_t k = 0; k < kernels.size(); ++k) {
        ConvBackend packed = dn::conv_packed, direct = dn::conv_direct;
        packed.prepare = kPackedPrepares[k];
        direct.prepare = kDirectPrepares[k];
        INFO("microkernel " << kernels[k]->name);
        CHECK(check_fused(packed, shapes, seed) > 50);
        CHECK(check_fused(direct, shapes, seed) > 50);
    }
}

TEST_CASE("the backend table holds every backend once, mcmk last", "[conv][registry]") {
    std::vector<std::string> names;
    for (const ConvBackend* const* b = dn::conv_backends(); *b; ++b) {
        INFO("backend " << (*b)->name);
        CHECK((*b)->description != nullptr);
        CHECK((*b)->supports != nullptr);
        CHECK((*b)->workspace_bytes != nullptr);
        CHECK((*b)->forward != nullptr);
        names.emplace_back((*b)->name);
    }
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == std::vector<std::string>{"1x1", "direct", "im2col", "im2row", "mcmk", "packed", "winograd",
                                             "winograd4"});
    REQUIRE(!names.empty());
    CHECK(names.back() == "mcmk");  // the fallback that supports everything ends the walk
    std::string joined;
    for (const auto& n : names) joined += (joined.empty() ? "" : ", ") + n;
    CHECK(dn::conv_backend_names() == joined);
}

TEST_CASE("find_conv_backend is case-insensitive and returns null for unknown names",
          "[conv][registry]") {
    const ConvBackend* im2col = dn::find_conv_backend("IM2COL");
    REQUIRE(im2col != nullptr);
    CHECK(std::string(im2col->name) == "im2col");
    CHECK(dn::find_conv_backend("im2col") == im2col);
    CHECK(dn::find_conv_backend("Mcmk") != nullptr);
    CHECK(dn::find_conv_backend("im2row") != nullptr);
    CHECK(dn::find_conv_backend("WinoGrad") != nullptr);
    CHECK(dn::find_conv_backend("fft") == nullptr);
    CHECK(dn::find_conv_backend("im2co") == nullptr);
    CHECK(dn::find_conv_backend("im2coll") == nullptr);
    CHECK(dn::find_conv_backend("") == nullptr);
    CHECK(dn::find_conv_backend("auto") == nullptr);
}

namespace {

ConvParams valid_params() {
    ConvParams p;
    p.c = 4;
    p.h = 13;
    p.w = 7;
    p.filters = 8;
    p.ksize = 3;
    p.stride = 1;
    p.pad = 1;
    return p;
}

}  // namespace

TEST_CASE("ConvParams::finish computes the output size", "[conv][params]") {
    ConvParams p = valid_params();
    REQUIRE(p.finish());
    CHECK(p.out_h == 13);
    CHECK(p.out_w == 7);
    p.stride = 2;
    REQUIRE(p.finish());
    CHECK(p.out_h == 7);
    CHECK(p.out_w == 4);
    p = valid_params();
    p.h = p.w = 1;  // a 3x3 kernel over a 1x1 input padded by 1 sees it once
    REQUIRE(p.finish());
    CHECK(p.out_h == 1);
    CHECK(p.out_w == 1);
    p = valid_params();
    p.dilation = 2;  // span 5
    p.pad = 0;
    REQUIRE(p.finish());
    CHECK(p.out_h == 9);
    CHECK(p.out_w == 3);
    p = valid_params();
    p.c = 3;
    p.h = p.w = 416;
    p.filters = 16;
    REQUIRE(p.finish());
    CHECK(p.to_string() == "mb1_g1_ic3oc16_ih416iw416_k3s1p1d1");
}

TEST_CASE("ConvParams::finish rejects invalid geometry", "[conv][params]") {
    struct Case {
        const char* what;
        void (*edit)(ConvParams&);
    };
    const Case cases[] = {
        {"groups not dividing c", [](ConvParams& p) { p.groups = 3; p.filters = 9; }},
        {"groups not dividing filters", [](ConvParams& p) { p.groups = 2; p.filters = 7; }},
        {"kernel larger than the padded input", [](ConvParams& p) { p.ksize = 11; p.pad = 1; }},
        {"dilated kernel larger than the padded input",
         [](ConvParams& p) { p.w = 5; p.dilation = 4; p.pad = 1; }},
        {"zero batch", [](ConvParams& p) { p.batch = 0; }},
        {"zero channels", [](ConvParams& p) { p.c = 0; }},
        {"zero height", [](ConvParams& p) { p.h = 0; }},
        {"zero width", [](ConvParams& p) { p.w = 0; }},
        {"zero filters", [](ConvParams& p) { p.filters = 0; }},
        {"zero ksize", [](ConvParams& p) { p.ksize = 0; }},
        {"zero stride", [](ConvParams& p) { p.stride = 0; }},
        {"zero dilation", [](ConvParams& p) { p.dilation = 0; }},
        {"zero groups", [](ConvParams& p) { p.groups = 0; }},
        {"negative pad", [](ConvParams& p) { p.pad = -1; }},
    };
    for (const Case& c : cases) {
        ConvParams p = valid_params();
        c.edit(p);
        INFO(c.what << ": " << p.to_string());
        CHECK_FALSE(p.finish());
    }
}
