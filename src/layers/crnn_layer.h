// [crnn] (pjreddie's Darknet): [rnn] with 3x3 convolutions (stride 1, pad 1) in place of the
// connected layers, on an image of h x w: hidden_filters channels of state, output_filters
// channels out, one activation and batch_normalize for all three. Per call, one time step:
//   state = (shortcut ? state : 0) + input_layer(x) + self_layer(state)
//   output = output_layer(state)
// The state is carried from call to call (zero after load). The three convolutions run on the
// backends like any [convolutional] (their method is chosen as for one). Weights in file
// order: input_layer, self_layer, output_layer, each a [convolutional]'s biases, [scales,
// rolling mean, rolling variance], weights.
#pragma once
#include "layer.h"
#include "layers/convolutional_layer.h"

namespace dn {

class CrnnLayer : public Layer {
public:
    // input_p/self_p/output_p: the three 3x3 convolutions, finished; each with its method.
    CrnnLayer(const ConvParams& input_p, const ConvParams& self_p, const ConvParams& output_p,
              const MethodChoice* methods, Activation act, bool batch_normalize, bool shortcut);
    const char* kind() const override { return "crnn"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    std::size_t workspace_bytes() const override;
    double flops() const override;
    std::vector<ParamRef> params() override;
    void weights_ready() override;
    void allocate_output() override;

    // Zeroes the state carried between calls.
    void reset_state();
    const ConvolutionalLayer& sublayer(int i) const { return i == 0 ? input_layer_ : i == 1 ? self_layer_ : output_layer_; }
    // For Network::set_conv_method: the three convolutions take the network's method.
    ConvolutionalLayer& sublayer(int i) { return i == 0 ? input_layer_ : i == 1 ? self_layer_ : output_layer_; }

private:
    bool shortcut_;
    ConvolutionalLayer input_layer_, self_layer_, output_layer_;
    std::vector<float> state_;
};

}  // namespace dn
