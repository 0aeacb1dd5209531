#include "layers/crnn_layer.h"

#include <algorithm>
#include <cstdio>

namespace dn {

CrnnLayer::CrnnLayer(const ConvParams& input_p, const ConvParams& self_p, const ConvParams& output_p,
                     const MethodChoice* methods, Activation act, bool batch_normalize, bool shortcut)
    : shortcut_(shortcut),
      input_layer_(input_p, act, batch_normalize, methods[0]),
      self_layer_(self_p, act, batch_normalize, methods[1]),
      output_layer_(output_p, act, batch_normalize, methods[2]) {
    batch = input_p.batch;
    in = input_layer_.in;
    out = output_layer_.out;
}

std::string CrnnLayer::describe() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "CRNN Layer: %d x %d x %d image, %d filters", in.h, in.w, in.c, out.c);
    return std::string(buf) + "\n\t\t" + input_layer_.describe() + "\n\t\t" + self_layer_.describe() +
           "\n\t\t" + output_layer_.describe();
}

std::size_t CrnnLayer::workspace_bytes() const {
    return std::max({input_layer_.workspace_bytes(), self_layer_.workspace_bytes(), output_layer_.workspace_bytes()});
}

double CrnnLayer::flops() const { return input_layer_.flops() + self_layer_.flops() + output_layer_.flops(); }

std::vector<ParamRef> CrnnLayer::params() {
    std::vector<ParamRef> v;
    for (ConvolutionalLayer* l : {&input_layer_, &self_layer_, &output_layer_})
        for (const ParamRef& p : l->params()) v.push_back(p);
    return v;
}

void CrnnLayer::allocate_output() {
    for (ConvolutionalLayer* l : {&input_layer_, &self_layer_, &output_layer_}) l->allocate_output();
    state_.assign(std::size_t(batch) * self_layer_.out.size(), 0.f);
    alias_ = output_layer_.output();
}

void CrnnLayer::weights_ready() {
    for (ConvolutionalLayer* l : {&input_layer_, &self_layer_, &output_layer_}) l->weights_ready();
    reset_state();
}

void CrnnLayer::reset_state() { std::fill(state_.begin(), state_.end(), 0.f); }

void CrnnLayer::forward(const float* input, const Network& net, const ForwardContext& ctx) {
    input_layer_.forward(input, net, ctx);
    self_layer_.forward(state_.data(), net, ctx);  // reads the previous state
    const float* a = input_layer_.output();
    const float* b = self_layer_.output();
    for (std::size_t i = 0; i < state_.size(); ++i) {
        const float s = shortcut_ ? state_[i] : 0.f;
        state_[i] = (s + a[i]) + b[i];
    }
    output_layer_.forward(state_.data(), net, ctx);
}

}  // namespace dn
