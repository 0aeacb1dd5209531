// [lstm] (pjreddie's Darknet): eight linear [connected] layers (optional batch_normalize);
// per call, one time step on the hidden state h and cell c carried from call to call (zero
// after load):
//   f = logistic(wf(h) + uf(x)),  i = logistic(wi(h) + ui(x)),
//   g = tanh(wg(h) + ug(x)),      o = logistic(wo(h) + uo(x))
//   c = f * c + i * g,  h = output = o * tanh(c)
// No peepholes (AlexeyAB's fork has its own [lstm], refused in that dialect). Weights in file
// order wi, wf, wo, wg, ui, uf, uo, ug, each a [connected]'s biases, weights, [scales,
// rolling mean, rolling variance].
#pragma once
#include "layer.h"
#include "layers/connected_layer.h"

namespace dn {

class LstmLayer : public Layer {
public:
    LstmLayer(int batch, int inputs, int outputs, bool batch_normalize);
    const char* kind() const override { return "lstm"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    double flops() const override;
    std::vector<ParamRef> params() override;
    void weights_ready() override;
    void allocate_output() override;

    // Zeroes h and c, as after load.
    void reset_state();
    const std::vector<float>& cell() const { return c_; }

private:
    // Upstream's construction order (its layer table prints them so).
    ConnectedLayer uf_, ui_, ug_, uo_, wf_, wi_, wg_, wo_;
    std::vector<float> f_, i_, g_, o_, c_, h_;
};

}  // namespace dn
