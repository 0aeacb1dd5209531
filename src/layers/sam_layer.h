// [sam] (AlexeyAB's fork, spatial attention): the previous layer's output times layer
// `from`'s, element by element; both have the same shape.
#pragma once
#include "activations.h"
#include "layer.h"

namespace dn {

class SamLayer : public Layer {
public:
    // The caller checked that `from` outputs `input`'s shape.
    SamLayer(int batch, Shape input, int from, Activation act);
    const char* kind() const override { return "sam"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    int from_;
    Activation activation_;
};

}  // namespace dn
