#include "layers/convolutional_layer.h"

#include <cmath>
#include <cstdio>

#include "blas_lock.h"
#include "error.h"
#include "isa_clones.h"
#include "log.h"
#include "network.h"

namespace dn {

ConvolutionalLayer::ConvolutionalLayer(const ConvParams& p, Activation act, bool batch_normalize,
                                       const MethodChoice& method)
    : params_(p), activation_(act), batch_normalize_(batch_normalize), method_(method) {
    batch = p.batch;
    in = {p.c, p.h, p.w};
    out = {p.filters, p.out_h, p.out_w};
    weights_.assign(p.weight_size(), 0.f);
    biases_.assign(p.filters, 0.f);
    if (batch_normalize_) {
        scales_.assign(p.filters, 1.f);
        rolling_mean_.assign(p.filters, 0.f);
        rolling_variance_.assign(p.filters, 1.f);
    }
}

void ConvolutionalLayer::share_params_of(const ConvolutionalLayer* source) {
    share_ = source;
    for (std::vector<float>* v : {&weights_, &biases_, &scales_, &rolling_mean_, &rolling_variance_}) {
        v->clear();
        v->shrink_to_fit();
    }
}

std::string ConvolutionalLayer::describe() const {
    char buf[256];
    const ConvParams& p = params_;
    std::snprintf(buf, sizeof buf,
                  "conv  %5d %2d x%2d /%2d  %4d x%4d x%4d   ->  %4d x%4d x%4d  %5.3f BFLOPs",
                  p.filters, p.ksize, p.ksize, p.stride, p.w, p.h, p.c, p.out_w, p.out_h,
                  p.filters, flops() / 1e9);
    std::string how = method_source_name(method_.source);
    if (!method_.detail.empty()) how += ": " + method_.detail;
    return std::string(buf) + "  " + method_.backend->name + " (" + how + ")";
}

std::size_t ConvolutionalLayer::workspace_bytes() const {
    return method_.backend->workspace_bytes(params_);
}

std::vector<ParamRef> ConvolutionalLayer::params() {
    if (share_) return {};
    const int fan_in = params_.in_per_group() * params_.ksize * params_.ksize;
    std::vector<ParamRef> v;
    v.push_back({ParamRef::bias, &biases_, fan_in});
    if (batch_normalize_) {
        v.push_back({ParamRef::bn_scale, &scales_, fan_in});
        v.push_back({ParamRef::bn_mean, &rolling_mean_, fan_in});
        v.push_back({ParamRef::bn_var, &rolling_variance_, fan_in});
    }
    v.push_back({ParamRef::weight, &weights_, fan_in});
    return v;
}

void ConvolutionalLayer::weights_ready() {
    // Fold inference batch norm into the weights and bias once, so forward is one convolution
    // and one fused bias+activation pass: w' = w*s/d, b' = b - m*s/d with d = sqrt(var)+1e-6
    // (upstream's denominator). Equal to upstream's (x-m)/d*s+b up to float rounding.
    // AlexeyAB's fork folds the same way at load, with d = sqrt(var + 1e-5), in its order:
    // b' = b - s*m/d, w' = w * (s/d).
    const ConvolutionalLayer& src = share_ ? *share_ : *this;
    folded_weights_ = src.weights_;
    folded_bias_ = src.biases_;
    if (batch_normalize_) {
        const std::size_t per_filter = folded_weights_.size() / params_.filters;
        for (int f = 0; f < params_.filters; ++f) {
            const double var = double(src.rolling_variance_[f]), s = double(src.scales_[f]);
            const double d = alexeyab_fold_ ? std::sqrt(var + .00001) : std::sqrt(var) + double(.000001f);
            const double k = s / d;
            float* w = folded_weights_.data() + f * per_filter;
            for (std::size_t i = 0; i < per_filter; ++i) w[i] = static_cast<float>(w[i] * k);
            folded_bias_[f] = alexeyab_fold_ ? static_cast<float>(src.biases_[f] - s * src.rolling_mean_[f] / d)
                                             : static_cast<float>(src.biases_[f] - src.rolling_mean_[f] * k);
        }
    }
    plan_.reset();
    if (method_.backend->prepare) plan_ = method_.backend->prepare(params_, folded_weights_.data());
}

void ConvolutionalLayer::set_method(const MethodRequest& request, bool strict) {
    const ConvBackend* b = require_backend(request.name, request.where);
    const char* why = "not supported";
    if (strict && !b->supports(params_, &why))
        throw Error(request.where + "method " + b->name + " cannot run layer " +
                    std::to_string(index) + " (" + params_.to_string() + "): " + why);
    MethodChoice choice = choose_backend(params_, index, &request, 1);
    if (!choice.notice.empty()) log_info("notice: %s", choice.notice.c_str());
    method_ = choice;
    weights_ready();
}

void batchnorm_inference(float* x, int batch, int n, int spatial, const float* mean,
                         const double* denominator, const float* scales, const float* biases) {
    for (int b = 0; b < batch; ++b) {
        for (int f = 0; f < n; ++f) {
            float* row = x + (std::size_t(b) * n + f) * spatial;
            const float m = mean[f], s = scales[f], bias = biases[f];
            const double d = denominator[f];
            for (int i = 0; i < spatial; ++i) {
                float v = static_cast<float>((row[i] - m) / d);
                v *= s;
                row[i] = v + bias;
            }
        }
    }
}

void add_bias(float* x, int batch, int n, int spatial, const float* biases) {
    for (int b = 0; b < batch; ++b)
        for (int f = 0; f < n; ++f) {
            float* row = x + (std::size_t(b) * n + f) * spatial;
            for (int i = 0; i < spatial; ++i) row[i] += biases[f];
        }
}

// x[i] = act(x[i] + bias) over one row of one filter, each element with upstream's
// arithmetic (the bits of leaky's double-precision product and the double exp of logistic,
// rounded to float). It is both the layer's output pass and the epilogue fusing backends apply
// per tile, so both paths give the same bits. Leaky has its own loops (activations.h); the
// others here vectorise, built per ISA (isa_clones.h), and FMA contraction is off, so every
// build gives the same bits.
namespace {
inline void bias_activate_loop(float* row, int spatial, float bias, Activation act) {
    switch (act) {
        case Activation::linear:
            for (int i = 0; i < spatial; ++i) row[i] += bias;
            break;
        case Activation::leaky_float:  // AlexeyAB's .1f * v, same select
            for (int i = 0; i < spatial; ++i) {
                const float v = row[i] + bias;
                const float neg = .1f * v;
                row[i] = v > neg ? v : neg;
            }
            break;
        case Activation::relu:
            for (int i = 0; i < spatial; ++i) {
                const float v = row[i] + bias;
                row[i] = v > 0 ? v : 0.f;
            }
            break;
        case Activation::logistic:
            for (int i = 0; i < spatial; ++i)
                row[i] = static_cast<float>(1. / (1. + std::exp(-double(row[i] + bias))));
            break;
        default:
            for (int i = 0; i < spatial; ++i) row[i] = activate(row[i] + bias, act);
    }
}
DN_CLONES(bias_activate_loop, (float* row, int spatial, float bias, Activation act), (row, spatial, bias, act))
}  // namespace

static void bias_activate_row(float* row, int spatial, float bias, Activation act) {
    const Isa isa = gemm_kernel_default().id;
    // Leaky: its own loops (activations.h), in float arithmetic where the ISA has FMA.
    if (act == Activation::leaky) return leaky_array(row, std::size_t(spatial), &bias, isa);
    DN_PICK(bias_activate_loop, isa)(row, spatial, bias, act);
}

void bias_activate(float* x, int batch, int n, int spatial, const float* biases, Activation act,
                   int threads) {
    // Element-wise, so splitting the planes across threads changes no result.
#pragma omp parallel for schedule(static) num_threads(threads) if (std::size_t(batch) * n * spatial >= 65536)
    for (int bf = 0; bf < batch * n; ++bf)
        bias_activate_row(x + std::size_t(bf) * spatial, spatial, biases[bf % n], act);
}

static void epilogue_apply(float* x, int n, float bias, const void* arg) {
    bias_activate_row(x, n, bias, *static_cast<const Activation*>(arg));
}

void ConvolutionalLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    ConvEpilogue epilogue;
    epilogue.bias = folded_bias_.data();
    epilogue.apply = epilogue_apply;
    epilogue.arg = &activation_;
    epilogue.kind = activation_ == Activation::linear ? EpilogueKind::linear
                    : activation_ == Activation::relu ? EpilogueKind::relu
                    : activation_ == Activation::leaky ? EpilogueKind::leaky
                    : activation_ == Activation::leaky_float ? EpilogueKind::leaky_float
                                                       : EpilogueKind::other;
    const bool fused = method_.backend->fuses_epilogue;
    ConvContext cctx;
    cctx.threads = ctx.threads;
    cctx.epilogue = fused ? &epilogue : nullptr;
    float* y = mutable_output();
    {
        const auto lock = blas_enter(method_.backend->uses_blas, ctx.threads);
        method_.backend->forward(params_, plan_.get(), input, folded_weights_.data(), y, ctx.workspace, cctx);
    }
    if (!fused)
        bias_activate(y, batch, params_.filters, params_.out_h * params_.out_w, folded_bias_.data(), activation_,
                      ctx.threads);
}

}  // namespace dn
