// [shortcut]: out = alpha * previous + beta * layers[from], then activation; a `from`
// layer of another size is sampled or strided as upstream does.
// AlexeyAB's form (several from= layers, weights_type, weights_normalization):
// out = w0 * previous + sum_i w_i * layers[from_i], all of the previous layer's width and
// height; a layer with fewer values adds to the first ones, as its flat index does. The
// weights are one per input (per_feature) or per input and channel (per_channel), stored
// after the layers before in the .weights file, and normalised at load as that fork's
// fuse_conv_batchnorm does before inference: relu as max(w, 0.001) / (1e-4 + sum), softmax
// as exp(w - max) / (1e-4 + sum).
#pragma once
#include <vector>

#include "activations.h"
#include "layer.h"

namespace dn {

class ShortcutLayer : public Layer {
public:
    ShortcutLayer(int batch, Shape input, int from, Shape from_shape, Activation act, float alpha,
                  float beta);
    enum class WeightsType { none, per_feature, per_channel };
    enum class Normalization { none, relu, softmax };
    // AlexeyAB's form; every from_shapes[i] has input's width and height.
    ShortcutLayer(int batch, Shape input, std::vector<int> froms, std::vector<Shape> from_shapes, Activation act,
                  WeightsType type, Normalization norm);
    const char* kind() const override { return "res"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    std::vector<ParamRef> params() override;
    void weights_ready() override;

private:
    void forward_multilayer(const float* input, const Network& net, float* y) const;

    bool multilayer_ = false;
    std::vector<int> froms_;
    std::vector<Shape> from_shapes_;
    WeightsType weights_type_ = WeightsType::none;
    Normalization normalization_ = Normalization::none;
    std::vector<float> weights_;     // [from 0 = previous, 1..n][channel] as in the file
    std::vector<float> normalized_;  // weights_ after normalisation (weights_ready)
    int from_;
    Shape from_shape_;
    Activation activation_;
    float alpha_, beta_;
};

}  // namespace dn
