#include "convolutional_layer.h"

#include <cmath>
#include <cstdio>

#include "error.h"
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

std::string ConvolutionalLayer::describe() const {
    char buf[256];
    const ConvParams& p = params_;
    std::snprintf(buf, sizeof buf,
                  "conv  %5d %2d x%2d /%2d  %4d x%4d x%4d   ->  %4d x%4d x%4d  %5.3f BFLOPs",
                  p.filters, p.ksize, p.ksize, p.stride, p.w, p.h, p.c, p.out_w, p.out_h,
                  p.filters, flops() / 1e9);
    return std::string(buf) + "  " + method_.backend->name + " (" +
           method_source_name(method_.source) + ")";
}

std::size_t ConvolutionalLayer::workspace_bytes() const {
    return method_.backend->workspace_bytes(params_);
}

std::vector<ParamRef> ConvolutionalLayer::params() {
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
    if (batch_normalize_) {
        bn_denominator_.resize(params_.filters);
        for (int f = 0; f < params_.filters; ++f)
            bn_denominator_[f] = std::sqrt(double(rolling_variance_[f])) + double(.000001f);
    }
    plan_.reset();
    if (method_.backend->prepare) plan_ = method_.backend->prepare(params_, weights_.data());
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

void ConvolutionalLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    ConvContext cctx;
    cctx.threads = ctx.threads;
    float* y = mutable_output();
    method_.backend->forward(params_, plan_.get(), input, weights_.data(), y, ctx.workspace, cctx);
    const int spatial = params_.out_h * params_.out_w;
    if (batch_normalize_)
        batchnorm_inference(y, batch, params_.filters, spatial, rolling_mean_.data(),
                            bn_denominator_.data(), scales_.data(), biases_.data());
    else
        add_bias(y, batch, params_.filters, spatial, biases_.data());
    activate_array(y, output_.size(), activation_);
}

}  // namespace dn
