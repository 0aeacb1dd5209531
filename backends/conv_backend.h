// The convolution backend interface: every convolutional layer hands its convolution to one
// entry of an ordered table of backends (conv_registry.cpp). A backend only convolves:
//   out[n][f][oy][ox] = sum_{ci,ky,kx} w[f][ci][ky][kx] * in[n][g*C/G + ci][iy][ix]
// with iy = oy*stride - pad + ky*dilation (likewise ix), zero outside the input,
// g = f / (filters/groups). Batch norm is folded into the weights at load; bias and
// activation are the layer's, unless the backend fuses them (ConvEpilogue).
// Layouts: input NCHW [batch][c][h][w]; weights [filters][c/groups][ksize][ksize];
// output [batch][filters][out_h][out_w]. All float32, densely packed.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace dn {

struct ConvParams {
    int batch = 1;
    int c = 0, h = 0, w = 0;  // input channels and size
    int filters = 0;
    int ksize = 1, stride = 1, pad = 0, dilation = 1, groups = 1;
    int out_h = 0, out_w = 0;  // computed by finish()

    // Computes out_h/out_w from the rest. Returns false when the geometry is invalid
    // (no output pixel, groups not dividing c or filters, non-positive sizes).
    bool finish();
    // One canonical line, e.g. "mb1_g1_ic3oc16_ih416iw416_k3s1p1d1", for logs, test
    // failures and plan-cache keys.
    std::string to_string() const;

    int in_per_group() const { return c / groups; }
    int out_per_group() const { return filters / groups; }
    std::size_t input_size() const { return std::size_t(batch) * c * h * w; }
    std::size_t weight_size() const { return std::size_t(filters) * (c / groups) * ksize * ksize; }
    std::size_t output_size() const { return std::size_t(batch) * filters * out_h * out_w; }
    double flops() const {  // multiply-adds counted as 2, per batch
        return 2.0 * filters * (c / groups) * ksize * ksize * out_h * out_w * batch;
    }
};

// Per-layer immutable state a backend may build once (packed or transformed weights).
struct ConvPlan {
    virtual ~ConvPlan() = default;
};

// The layer's output pass, which a backend with fuses_epilogue applies to each block of
// output while it is still in cache instead of the layer making a second pass:
// x[i] = act(x[i] + bias[f]) for the outputs of filter f. apply() must be the layer's own
// per-element arithmetic, so fused and unfused results are the same bits.
// kind names apply's activation when a backend may compute it itself, in registers, with
// the same arithmetic: linear (bias only), relu (v > 0 ? v : 0), leaky (v > 0 ? v :
// float(0.1 * double(v)), upstream's double product), leaky_float (v > 0 ? v : .1f * v,
// AlexeyAB's float product); other: only apply() knows it.
enum class EpilogueKind : unsigned char { other, linear, relu, leaky, leaky_float };

struct ConvEpilogue {
    const float* bias = nullptr;  // [filters]
    void (*apply)(float* x, int n, float bias, const void* arg) = nullptr;
    const void* arg = nullptr;  // passed to apply (the activation)
    EpilogueKind kind = EpilogueKind::other;
};

// Run-time context handed to forward(); threads >= 1.
struct ConvContext {
    int threads = 1;
    // Null, or the output pass for a backend with fuses_epilogue to apply.
    const ConvEpilogue* epilogue = nullptr;
};

struct ConvBackend {
    // Lower-case id used by cfg `method=`, DARKNET_CONV_METHOD and -method.
    const char* name;
    // One line for listings: the algorithm and when it tends to win.
    const char* description;
    // Correctness only: true if this backend computes this geometry exactly; otherwise
    // false with a short static reason in *why_not ("dilation != 1").
    bool (*supports)(const ConvParams& p, const char** why_not);
    // Scratch bytes forward() needs; the caller provides them (may be 0).
    std::size_t (*workspace_bytes)(const ConvParams& p);
    // Optional (may be null): one-time per-layer preparation from the weights.
    std::unique_ptr<ConvPlan> (*prepare)(const ConvParams& p, const float* weights);
    // out = conv(in, weights), overwriting out. Allocates nothing, logs nothing, throws
    // nothing. plan is what prepare() returned, or null when prepare is null.
    void (*forward)(const ConvParams& p, const ConvPlan* plan, const float* in,
                    const float* weights, float* out, float* workspace, const ConvContext& ctx);
    // forward() calls BLAS: callers wrap it in blas_enter() (src/blas_lock.h).
    bool uses_blas;
    // forward() applies ctx.epilogue when it is given; otherwise the caller applies it.
    bool fuses_epilogue;
    // Optional (may be null = always): a measured speed hint for the built-in default. The
    // default is the first backend in table order that supports the layer and does not
    // decline it here; `auto` and explicit methods ignore it.
    bool (*preferred)(const ConvParams& p);
};

// The ordered table, fastest-expected first, `mcmk` (supports everything) last.
// Null-terminated.
const ConvBackend* const* conv_backends();
// Case-insensitive lookup by name; null when unknown.
const ConvBackend* find_conv_backend(std::string_view name);
// "im2row, im2col, mcmk": the valid names, in table order, for error messages.
std::string conv_backend_names();

}  // namespace dn
