// [scale_channels] (AlexeyAB's fork): multiplies layer `from`'s output by the previous
// layer's, which is one value per channel (c x 1 x 1, squeeze-and-excitation) or, with
// scale_wh=1, one value per pixel (1 x h x w). The output has `from`'s shape.
#pragma once
#include "activations.h"
#include "layer.h"

namespace dn {

class ScaleChannelsLayer : public Layer {
public:
    // The caller checked the shapes: input c x 1 x 1 with c == from.c, or (scale_wh)
    // 1 x h x w with h, w == from's.
    ScaleChannelsLayer(int batch, Shape input, int from, Shape from_shape, bool scale_wh, Activation act);
    const char* kind() const override { return "scale_channels"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    int from_;
    bool scale_wh_;
    Activation activation_;
};

}  // namespace dn
