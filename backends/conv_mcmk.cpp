// MCMK direct convolution (Park & Chung): for each output channel, output row and column,
// sum over input channels, kernel rows and kernel columns, reading the NCHW feature map and
// the [filters][c/groups][k][k] kernel where they lie. No workspace, no weight transform.
// Handles every geometry ConvParams::finish() accepts (groups, dilation, any stride and
// pad), so it ends the table; it tends to win only on tiny layers and depthwise convolutions.
#include "conv_backend.h"
#include "conv_index.h"

namespace dn {
namespace {

bool mcmk_supports(const ConvParams& p, const char** why_not) {
    if (p.out_h < 1 || p.out_w < 1) {
        *why_not = "output size unset (ConvParams::finish() not called or failed)";
        return false;
    }
    return true;
}

std::size_t mcmk_workspace_bytes(const ConvParams&) { return 0; }

// Outputs computed together where every kernel column lies inside the input: a vector of
// accumulators, each weight loaded once per block, and for stride 1 the taps of neighbouring
// outputs are one contiguous load. 8 beat 4 and 16 on 28- and 56-wide rows (one informal run
// on the 2-core AVX-512 dev VM, c128->256 and c64->64 3x3).
constexpr int kBlock = 8;

// Each output sums over (ci, ky, kx) in this fixed order, in mcmk_block and mcmk_pixel alike,
// so results do not depend on how rows are shared among threads. ky is the row's range of
// kernel rows inside the input; iy0, ix0 where the kernel's top-left tap lands.
void mcmk_block(const ConvParams& p, const float* in_group, const float* filter, int iy0,
                IndexRange ky, int ix0, float* out) {
    const int k = p.ksize, d = p.dilation, s = p.stride;
    const std::size_t plane = std::size_t(p.h) * p.w;
    float acc[kBlock] = {};
    for (int ci = 0; ci < p.in_per_group(); ++ci) {
        const float* src = in_group + ci * plane;
        const float* wc = filter + std::size_t(ci) * k * k;
        for (int y = ky.lo; y < ky.hi; ++y) {
            const float* src_row = src + std::size_t(iy0 + y * d) * p.w + ix0;
            for (int x = 0; x < k; ++x) {
                const float wv = wc[y * k + x];
                const float* tap = src_row + x * d;
                for (int j = 0; j < kBlock; ++j) acc[j] += wv * tap[j * s];
            }
        }
    }
    for (int j = 0; j < kBlock; ++j) out[j] = acc[j];
}

float mcmk_pixel(const ConvParams& p, const float* in_group, const float* filter, int iy0,
                 IndexRange ky, int ix0) {
    const int k = p.ksize, d = p.dilation;
    const std::size_t plane = std::size_t(p.h) * p.w;
    const IndexRange kx = inside_range(ix0, d, k, p.w);
    float acc = 0.0f;
    for (int ci = 0; ci < p.in_per_group(); ++ci) {
        const float* src = in_group + ci * plane;
        const float* wc = filter + std::size_t(ci) * k * k;
        for (int y = ky.lo; y < ky.hi; ++y) {
            const float* src_row = src + std::size_t(iy0 + y * d) * p.w;
            const float* w_row = wc + y * k;
            for (int x = kx.lo; x < kx.hi; ++x) acc += w_row[x] * src_row[ix0 + x * d];
        }
    }
    return acc;
}

// One output row of one filter: blocks where all kernel columns are inside, single outputs
// at the borders and in the tail.
void mcmk_row(const ConvParams& p, const float* in_group, const float* filter, int oy,
              float* out_row) {
    const int iy0 = oy * p.stride - p.pad;
    const IndexRange ky = inside_range(iy0, p.dilation, p.ksize, p.h);
    const IndexRange all_kx =
        inside_range(-p.pad, p.stride, p.out_w, p.w - (p.ksize - 1) * p.dilation);
    int ox = 0;
    while (ox < p.out_w) {
        const int ix0 = ox * p.stride - p.pad;
        if (ox >= all_kx.lo && ox + kBlock <= all_kx.hi) {
            mcmk_block(p, in_group, filter, iy0, ky, ix0, out_row + ox);
            ox += kBlock;
        } else {
            out_row[ox++] = mcmk_pixel(p, in_group, filter, iy0, ky, ix0);
        }
    }
}

void mcmk_forward(const ConvParams& p, const ConvPlan*, const float* in, const float* weights,
                  float* out, float*, const ConvContext& ctx) {
    const int fpg = p.out_per_group();
    const std::size_t plane = std::size_t(p.h) * p.w;
    const std::size_t filter_size = std::size_t(p.in_per_group()) * p.ksize * p.ksize;
    // Every (image, filter, output row) writes its own output row: no races, any split works.
#pragma omp parallel for collapse(3) schedule(static) num_threads(ctx.threads)
    for (int n = 0; n < p.batch; ++n)
        for (int f = 0; f < p.filters; ++f)
            for (int oy = 0; oy < p.out_h; ++oy) {
                const int first_channel = (f / fpg) * p.in_per_group();
                const float* in_group = in + (std::size_t(n) * p.c + first_channel) * plane;
                float* out_row = out + ((std::size_t(n) * p.filters + f) * p.out_h + oy) * p.out_w;
                mcmk_row(p, in_group, weights + f * filter_size, oy, out_row);
            }
}

}  // namespace

extern const ConvBackend conv_mcmk = {
    // name
    "mcmk",
    // description
    "direct 6-loop convolution (Park & Chung); every geometry, the fallback of last resort",
    // supports: everything finish() accepts
    mcmk_supports,
    // workspace_bytes: none
    mcmk_workspace_bytes,
    // prepare: reads the weights in place, no plan
    nullptr,
    // forward
    mcmk_forward,
    // uses_blas
    false,
    // fuses_epilogue
    false,
    // preferred
    nullptr
};

}  // namespace dn
