#include "layers/connected_layer.h"

#include <cmath>
#include <cstdio>

#include "blas_lock.h"
#include "conv_gemm.h"
#include "layers/convolutional_layer.h"

namespace dn {

ConnectedLayer::ConnectedLayer(int batch_, Shape input, int outputs_, Activation act,
                               bool batch_normalize)
    : activation_(act), batch_normalize_(batch_normalize) {
    batch = batch_;
    in = input;
    out = {outputs_, 1, 1};
    weights_.assign(in.size() * outputs_, 0.f);
    biases_.assign(outputs_, 0.f);
    if (batch_normalize_) {
        scales_.assign(outputs_, 1.f);
        rolling_mean_.assign(outputs_, 0.f);
        rolling_variance_.assign(outputs_, 1.f);
    }
}

std::string ConnectedLayer::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "connected                            %4zu  ->  %4d", in.size(),
                  out.c);
    return buf;
}

std::vector<ParamRef> ConnectedLayer::params() {
    const int fan_in = static_cast<int>(in.size());
    std::vector<ParamRef> v;
    v.push_back({ParamRef::bias, &biases_, fan_in});
    ParamRef w{ParamRef::weight, &weights_, fan_in};
    w.rows = out.c;
    w.cols = fan_in;
    v.push_back(w);
    if (batch_normalize_) {
        v.push_back({ParamRef::bn_scale, &scales_, fan_in});
        v.push_back({ParamRef::bn_mean, &rolling_mean_, fan_in});
        v.push_back({ParamRef::bn_var, &rolling_variance_, fan_in});
    }
    return v;
}

void ConnectedLayer::weights_ready() {
    if (!batch_normalize_) return;
    bn_denominator_.resize(out.c);
    for (int f = 0; f < out.c; ++f)
        bn_denominator_[f] = alexeyab_bn_ ? std::sqrt(double(rolling_variance_[f] + .00001f))
                                          : std::sqrt(double(rolling_variance_[f])) + double(.000001f);
}

void ConnectedLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    const int n_in = static_cast<int>(in.size()), n_out = out.c;
    float* y = mutable_output();
    {
        const auto lock = blas_enter(true, ctx.threads);
        // Fixed tiles, not OpenBLAS's own threading: the same bits at every thread count.
        gemm_by_columns(batch, n_out, n_in, input, n_in, weights_.data(), n_in, true, y, n_out, ctx.threads);
    }
    if (batch_normalize_)
        batchnorm_inference(y, batch, n_out, 1, rolling_mean_.data(), bn_denominator_.data(),
                            scales_.data(), biases_.data());
    else
        add_bias(y, batch, n_out, 1, biases_.data());
    activate_array(y, std::size_t(batch) * outputs(), activation_);
}

}  // namespace dn
