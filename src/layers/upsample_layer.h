// [upsample]: nearest-neighbour by an integer stride, times `scale`; a negative stride
// downsamples by summing, as upstream.
#pragma once
#include "layer.h"

namespace dn {

class UpsampleLayer : public Layer {
public:
    UpsampleLayer(int batch, Shape input, int stride, float scale);
    const char* kind() const override { return "upsample"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    int stride_;
    bool reverse_;
    float scale_;
};

}  // namespace dn
