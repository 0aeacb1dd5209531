#include "layers/rnn_layer.h"

#include <algorithm>
#include <cstdio>

namespace dn {

RnnLayer::RnnLayer(int batch_, int inputs, int outputs, Activation act, bool batch_normalize, bool shortcut)
    : shortcut_(shortcut),
      input_layer_(batch_, Shape{inputs, 1, 1}, outputs, act, batch_normalize),
      self_layer_(batch_, Shape{outputs, 1, 1}, outputs, act, batch_normalize),
      output_layer_(batch_, Shape{outputs, 1, 1}, outputs, act, batch_normalize) {
    batch = batch_;
    in = {inputs, 1, 1};
    out = {outputs, 1, 1};
}

std::string RnnLayer::describe() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "RNN Layer: %zu inputs, %zu outputs", in.size(), out.size());
    return std::string(buf) + "\n\t\t" + input_layer_.describe() + "\n\t\t" + self_layer_.describe() +
           "\n\t\t" + output_layer_.describe();
}

double RnnLayer::flops() const { return input_layer_.flops() + self_layer_.flops() + output_layer_.flops(); }

std::vector<ParamRef> RnnLayer::params() {
    std::vector<ParamRef> v;
    for (ConnectedLayer* l : {&input_layer_, &self_layer_, &output_layer_})
        for (const ParamRef& p : l->params()) v.push_back(p);
    return v;
}

void RnnLayer::allocate_output() {
    for (ConnectedLayer* l : {&input_layer_, &self_layer_, &output_layer_}) l->allocate_output();
    state_.assign(std::size_t(batch) * out.size(), 0.f);
    alias_ = output_layer_.output();
}

void RnnLayer::weights_ready() {
    for (ConnectedLayer* l : {&input_layer_, &self_layer_, &output_layer_}) l->weights_ready();
    reset_state();
}

void RnnLayer::reset_state() { std::fill(state_.begin(), state_.end(), 0.f); }

void RnnLayer::forward(const float* input, const Network& net, const ForwardContext& ctx) {
    input_layer_.forward(input, net, ctx);
    self_layer_.forward(state_.data(), net, ctx);  // reads the previous state
    const float* a = input_layer_.output();
    const float* b = self_layer_.output();
    for (std::size_t i = 0; i < state_.size(); ++i) {
        // Upstream: the state filled with 0 (or kept, shortcut=1), then += a, then += b.
        const float s = shortcut_ ? state_[i] : 0.f;
        state_[i] = (s + a[i]) + b[i];
    }
    output_layer_.forward(state_.data(), net, ctx);
}

}  // namespace dn
