// [gru] (pjreddie's Darknet): six linear [connected] layers (optional batch_normalize); per
// call, one time step on the state h carried from call to call (zero after load):
//   z = logistic(uz(x) + wz(h)),  r = logistic(ur(x) + wr(h))
//   h~ = tanh or (tanh=0, upstream's default) logistic(uh(x) + wh(r * h))
//   h = output = z * h + (1 - z) * h~
// Upstream names: u* read the input, w* the state. Weights in file order wz, wr, wh, uz, ur,
// uh, each a [connected]'s biases, weights, [scales, rolling mean, rolling variance].
#pragma once
#include "layer.h"
#include "layers/connected_layer.h"

namespace dn {

class GruLayer : public Layer {
public:
    GruLayer(int batch, int inputs, int outputs, bool batch_normalize, bool tanh);
    const char* kind() const override { return "gru"; }
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
    bool tanh_;
    // Upstream's construction order (its layer table prints them so).
    ConnectedLayer uz_, wz_, ur_, wr_, uh_, wh_;
    std::vector<float> state_, z_, r_, forgot_;
};

}  // namespace dn
