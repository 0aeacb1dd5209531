// AlexeyAB's windowed pooling with separate strides: [local_avgpool] (the mean of the window
// cells inside the input) and [maxpool] with stride_x != stride_y (their max). Windows start
// at -padding/2, as upstream's maxpool; out = (in + padding - size) / stride + 1 per axis.
// A plain loop in AlexeyAB's order (its non-AVX code); [maxpool] with equal strides stays on
// maxpool_layer's fast path.
#pragma once
#include "layer.h"

namespace dn {

class LocalPoolLayer : public Layer {
public:
    LocalPoolLayer(int batch, Shape input, bool average, int size, int stride_x, int stride_y, int padding);
    const char* kind() const override { return average_ ? "local_avgpool" : "max"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    bool average_;
    int size_, stride_x_, stride_y_, padding_;
};

}  // namespace dn
