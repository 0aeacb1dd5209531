#include "layers/gru_layer.h"

#include <algorithm>
#include <cstdio>

namespace dn {

GruLayer::GruLayer(int batch_, int inputs, int outputs, bool batch_normalize, bool tanh)
    : tanh_(tanh),
      uz_(batch_, Shape{inputs, 1, 1}, outputs, Activation::linear, batch_normalize),
      wz_(batch_, Shape{outputs, 1, 1}, outputs, Activation::linear, batch_normalize),
      ur_(batch_, Shape{inputs, 1, 1}, outputs, Activation::linear, batch_normalize),
      wr_(batch_, Shape{outputs, 1, 1}, outputs, Activation::linear, batch_normalize),
      uh_(batch_, Shape{inputs, 1, 1}, outputs, Activation::linear, batch_normalize),
      wh_(batch_, Shape{outputs, 1, 1}, outputs, Activation::linear, batch_normalize) {
    batch = batch_;
    in = {inputs, 1, 1};
    out = {outputs, 1, 1};
}

std::string GruLayer::describe() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "GRU Layer: %zu inputs, %zu outputs", in.size(), out.size());
    std::string s = buf;
    for (const ConnectedLayer* l : {&uz_, &wz_, &ur_, &wr_, &uh_, &wh_}) s += "\n\t\t" + l->describe();
    return s;
}

double GruLayer::flops() const {
    double f = 0;
    for (const ConnectedLayer* l : {&uz_, &wz_, &ur_, &wr_, &uh_, &wh_}) f += l->flops();
    return f;
}

std::vector<ParamRef> GruLayer::params() {
    std::vector<ParamRef> v;
    for (ConnectedLayer* l : {&wz_, &wr_, &wh_, &uz_, &ur_, &uh_})
        for (const ParamRef& p : l->params()) v.push_back(p);
    return v;
}

void GruLayer::allocate_output() {
    Layer::allocate_output();
    const std::size_t n = std::size_t(batch) * out.size();
    for (ConnectedLayer* l : {&uz_, &wz_, &ur_, &wr_, &uh_, &wh_}) l->allocate_output();
    z_.assign(n, 0.f);
    r_.assign(n, 0.f);
    forgot_.assign(n, 0.f);
    state_.assign(n, 0.f);
}

void GruLayer::weights_ready() {
    for (ConnectedLayer* l : {&uz_, &wz_, &ur_, &wr_, &uh_, &wh_}) l->weights_ready();
    reset_state();
}

void GruLayer::reset_state() { std::fill(state_.begin(), state_.end(), 0.f); }

void GruLayer::forward(const float* input, const Network& net, const ForwardContext& ctx) {
    const std::size_t n = state_.size();
    wz_.forward(state_.data(), net, ctx);
    wr_.forward(state_.data(), net, ctx);
    uz_.forward(input, net, ctx);
    ur_.forward(input, net, ctx);
    uh_.forward(input, net, ctx);
    for (std::size_t i = 0; i < n; ++i) {
        z_[i] = uz_.output()[i] + wz_.output()[i];
        r_[i] = ur_.output()[i] + wr_.output()[i];
    }
    activate_array(z_.data(), n, Activation::logistic);
    activate_array(r_.data(), n, Activation::logistic);
    for (std::size_t i = 0; i < n; ++i) forgot_[i] = state_[i] * r_[i];
    wh_.forward(forgot_.data(), net, ctx);
    float* h = mutable_output();
    for (std::size_t i = 0; i < n; ++i) h[i] = uh_.output()[i] + wh_.output()[i];
    activate_array(h, n, tanh_ ? Activation::tanh : Activation::logistic);
    // Upstream's weighted_sum_cpu(state, h, z): z*state + (1 - z)*h, in float.
    for (std::size_t i = 0; i < n; ++i) {
        const float z = z_[i];
        h[i] = z * state_[i] + (1 - z) * h[i];
    }
    std::copy(h, h + n, state_.begin());
}

}  // namespace dn
