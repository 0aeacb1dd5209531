// [softmax]: over `groups` equal slices of the input, with temperature, as upstream.
#pragma once
#include "layer.h"

namespace dn {

class SoftmaxLayer : public Layer {
public:
    SoftmaxLayer(int batch, Shape input, int groups, float temperature);
    const char* kind() const override { return "softmax"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    int groups_;
    float temperature_;
};

// Upstream's softmax of n values spaced `stride` apart (max subtracted, float sum).
void softmax(const float* input, int n, float temp, int stride, float* output);

}  // namespace dn
