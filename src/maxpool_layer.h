// [maxpool]: upstream's window, offset and padding rules (padding defaults to size-1 and
// is split as padding/2 before the window; pixels outside the input are ignored).
#pragma once
#include "layer.h"

namespace dn {

class MaxpoolLayer : public Layer {
public:
    MaxpoolLayer(int batch, Shape input, int size, int stride, int padding);
    const char* kind() const override { return "max"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    int size_, stride_, padding_;
};

}  // namespace dn
