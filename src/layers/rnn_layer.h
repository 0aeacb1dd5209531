// [rnn] (pjreddie's Darknet): a vanilla recurrent layer of three [connected] layers sharing
// one activation (and batch_normalize). Per call, one time step:
//   state = (shortcut ? state : 0) + input_layer(x) + self_layer(state)
//   output = output_layer(state)
// The state is carried from call to call (zero after load), as upstream's inference does.
// Weights in file order: input_layer, self_layer, output_layer, each a [connected]'s
// biases, weights, [scales, rolling mean, rolling variance].
#pragma once
#include "activations.h"
#include "layer.h"
#include "layers/connected_layer.h"

namespace dn {

class RnnLayer : public Layer {
public:
    RnnLayer(int batch, int inputs, int outputs, Activation act, bool batch_normalize, bool shortcut);
    const char* kind() const override { return "rnn"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    double flops() const override;
    std::vector<ParamRef> params() override;
    void weights_ready() override;
    void allocate_output() override;

    // Zeroes the state carried between calls (upstream's reset_network_state).
    void reset_state();
    const std::vector<float>& state() const { return state_; }

private:
    bool shortcut_;
    ConnectedLayer input_layer_, self_layer_, output_layer_;
    std::vector<float> state_;
};

}  // namespace dn
