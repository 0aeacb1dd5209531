// AlexeyAB's [maxpool] maxpool_depth=1: a max across channels, per pixel. Output channel g
// is the max of input channels g, g + out_channels, g + 2*out_channels, ...
#pragma once
#include "layer.h"

namespace dn {

class MaxpoolDepthLayer : public Layer {
public:
    // 1 <= out_channels; channels past the input's give -FLT_MAX, as upstream.
    MaxpoolDepthLayer(int batch, Shape input, int out_channels);
    const char* kind() const override { return "max"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
};

}  // namespace dn
