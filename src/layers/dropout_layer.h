// [dropout] and [cost]: identities at inference. Dropout passes its input through; cost
// (a training loss) passes it through and is skipped when finding the network's output.
#pragma once
#include "layer.h"

namespace dn {

class DropoutLayer : public Layer {
public:
    DropoutLayer(int batch, Shape input, float probability);
    const char* kind() const override { return "dropout"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    void allocate_output() override {}

private:
    float probability_;
};

class CostLayer : public Layer {
public:
    CostLayer(int batch, Shape input);
    const char* kind() const override { return "cost"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    void allocate_output() override {}
};

}  // namespace dn
