// [convolutional]: the convolution itself runs on a pluggable backend (backends/); batch
// normalization is folded into the weights and bias at load, and bias plus activation are
// applied here in one pass after whichever backend ran.
#pragma once
#include <memory>

#include "activations.h"
#include "conv_backend.h"
#include "conv_select.h"
#include "layer.h"

namespace dn {

class ConvolutionalLayer : public Layer {
public:
    // p must have passed ConvParams::finish().
    ConvolutionalLayer(const ConvParams& p, Activation act, bool batch_normalize,
                       const MethodChoice& method);

    const char* kind() const override { return "conv"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    std::size_t workspace_bytes() const override;
    double flops() const override { return params_.flops() / params_.batch; }
    std::vector<ParamRef> params() override;
    void weights_ready() override;

    // Re-chooses the backend after load, `request` taking precedence over everything the
    // cfg, environment or command line asked for, and rebuilds the plan from the loaded
    // weights. strict: a backend that cannot run this layer is an error; otherwise the
    // layer falls back as choose_backend does, with a notice. Throws dn::Error (unknown
    // name, or strict and unsupported) and leaves the layer unchanged then. The caller
    // resizes the network workspace (Network::set_conv_method does).
    void set_method(const MethodRequest& request, bool strict);

    // AlexeyAB's batch-norm fold: scale / sqrt(var + 1e-5) instead of upstream's
    // scale / (sqrt(var) + 1e-6) (its fuse_conv_batchnorm, run before every inference).
    void set_alexeyab_fold(bool on) { alexeyab_fold_ = on; }
    // AlexeyAB's share_index: this layer computes with `source`'s weights, biases and batch
    // norm (an earlier layer of the same geometry) and has none of its own in the file.
    void share_params_of(const ConvolutionalLayer* source);
    const ConvolutionalLayer* shared_from() const { return share_; }
    bool batch_normalize() const { return batch_normalize_; }
    void use_alexeyab_batchnorm() { alexeyab_fold_ = true; }

    const ConvParams& conv_params() const { return params_; }
    const ConvBackend* backend() const { return method_.backend; }
    const MethodChoice& method() const { return method_; }

private:
    ConvParams params_;
    Activation activation_;
    bool batch_normalize_;
    bool alexeyab_bn_ = false;
    MethodChoice method_;
    std::unique_ptr<ConvPlan> plan_;
    std::vector<float> weights_, biases_, scales_, rolling_mean_, rolling_variance_;
    std::vector<float> folded_weights_, folded_bias_;  // batch norm folded in (weights_ready)
    bool alexeyab_fold_ = false;
    const ConvolutionalLayer* share_ = nullptr;
};

// Upstream's batch norm at inference on [batch][n][spatial] data, then scale and bias:
// x = (x - mean) / (sqrt(var) + .000001f) * scale + bias.
void batchnorm_inference(float* x, int batch, int n, int spatial, const float* mean,
                         const double* denominator, const float* scales, const float* biases);
void add_bias(float* x, int batch, int n, int spatial, const float* biases);
// x = act(x + bias[f]) in one pass over [batch][n][spatial].
void bias_activate(float* x, int batch, int n, int spatial, const float* biases, Activation act,
                   int threads = 1);

}  // namespace dn
