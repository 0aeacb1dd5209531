// [shortcut]: out = alpha * previous + beta * layers[from], then activation; a `from`
// layer of another size is sampled or strided as upstream does.
#pragma once
#include "activations.h"
#include "layer.h"

namespace dn {

class ShortcutLayer : public Layer {
public:
    ShortcutLayer(int batch, Shape input, int from, Shape from_shape, Activation act, float alpha,
                  float beta);
    const char* kind() const override { return "res"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    int from_;
    Shape from_shape_;
    Activation activation_;
    float alpha_, beta_;
};

}  // namespace dn
