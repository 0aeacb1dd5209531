// [connected]: y = W x + b (W stored [outputs][inputs]), optional batch norm, activation.
#pragma once
#include "activations.h"
#include "layer.h"

namespace dn {

class ConnectedLayer : public Layer {
public:
    ConnectedLayer(int batch, Shape input, int outputs, Activation act, bool batch_normalize);
    const char* kind() const override { return "connected"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    double flops() const override { return 2.0 * in.size() * out.c; }
    std::vector<ParamRef> params() override;
    void weights_ready() override;

    // AlexeyAB's batch norm denominator sqrt(var + .00001f) instead of sqrt(var) + .000001f.
    void use_alexeyab_batchnorm() { alexeyab_bn_ = true; }

private:
    bool alexeyab_bn_ = false;
    Activation activation_;
    bool batch_normalize_;
    std::vector<float> weights_, biases_, scales_, rolling_mean_, rolling_variance_;
    std::vector<double> bn_denominator_;
};

}  // namespace dn
