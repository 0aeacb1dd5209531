// [avgpool]: global average over each channel, as upstream.
#pragma once
#include "layer.h"

namespace dn {

class AvgpoolLayer : public Layer {
public:
    AvgpoolLayer(int batch, Shape input);
    const char* kind() const override { return "avg"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
};

}  // namespace dn
