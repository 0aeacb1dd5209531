#include "layers/lstm_layer.h"

#include <algorithm>
#include <cstdio>

namespace dn {

LstmLayer::LstmLayer(int batch_, int inputs, int outputs, bool bn)
    : uf_(batch_, Shape{inputs, 1, 1}, outputs, Activation::linear, bn),
      ui_(batch_, Shape{inputs, 1, 1}, outputs, Activation::linear, bn),
      ug_(batch_, Shape{inputs, 1, 1}, outputs, Activation::linear, bn),
      uo_(batch_, Shape{inputs, 1, 1}, outputs, Activation::linear, bn),
      wf_(batch_, Shape{outputs, 1, 1}, outputs, Activation::linear, bn),
      wi_(batch_, Shape{outputs, 1, 1}, outputs, Activation::linear, bn),
      wg_(batch_, Shape{outputs, 1, 1}, outputs, Activation::linear, bn),
      wo_(batch_, Shape{outputs, 1, 1}, outputs, Activation::linear, bn) {
    batch = batch_;
    in = {inputs, 1, 1};
    out = {outputs, 1, 1};
}

std::string LstmLayer::describe() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "LSTM Layer: %zu inputs, %zu outputs", in.size(), out.size());
    std::string s = buf;
    for (const ConnectedLayer* l : {&uf_, &ui_, &ug_, &uo_, &wf_, &wi_, &wg_, &wo_}) s += "\n\t\t" + l->describe();
    return s;
}

double LstmLayer::flops() const {
    double f = 0;
    for (const ConnectedLayer* l : {&uf_, &ui_, &ug_, &uo_, &wf_, &wi_, &wg_, &wo_}) f += l->flops();
    return f;
}

std::vector<ParamRef> LstmLayer::params() {
    std::vector<ParamRef> v;
    for (ConnectedLayer* l : {&wi_, &wf_, &wo_, &wg_, &ui_, &uf_, &uo_, &ug_})
        for (const ParamRef& p : l->params()) v.push_back(p);
    return v;
}

void LstmLayer::allocate_output() {
    Layer::allocate_output();
    const std::size_t n = std::size_t(batch) * out.size();
    for (ConnectedLayer* l : {&uf_, &ui_, &ug_, &uo_, &wf_, &wi_, &wg_, &wo_}) l->allocate_output();
    for (std::vector<float>* v : {&f_, &i_, &g_, &o_, &c_, &h_}) v->assign(n, 0.f);
}

void LstmLayer::weights_ready() {
    for (ConnectedLayer* l : {&uf_, &ui_, &ug_, &uo_, &wf_, &wi_, &wg_, &wo_}) l->weights_ready();
    reset_state();
}

void LstmLayer::reset_state() {
    std::fill(c_.begin(), c_.end(), 0.f);
    std::fill(h_.begin(), h_.end(), 0.f);
}

void LstmLayer::forward(const float* input, const Network& net, const ForwardContext& ctx) {
    const std::size_t n = h_.size();
    for (ConnectedLayer* l : {&wf_, &wi_, &wg_, &wo_}) l->forward(h_.data(), net, ctx);
    for (ConnectedLayer* l : {&uf_, &ui_, &ug_, &uo_}) l->forward(input, net, ctx);
    for (std::size_t k = 0; k < n; ++k) {
        f_[k] = wf_.output()[k] + uf_.output()[k];
        i_[k] = wi_.output()[k] + ui_.output()[k];
        g_[k] = wg_.output()[k] + ug_.output()[k];
        o_[k] = wo_.output()[k] + uo_.output()[k];
    }
    activate_array(f_.data(), n, Activation::logistic);
    activate_array(i_.data(), n, Activation::logistic);
    activate_array(g_.data(), n, Activation::tanh);
    activate_array(o_.data(), n, Activation::logistic);
    for (std::size_t k = 0; k < n; ++k) {
        const float ig = i_[k] * g_[k];
        c_[k] = c_[k] * f_[k] + ig;
        h_[k] = c_[k];
    }
    activate_array(h_.data(), n, Activation::tanh);
    float* y = mutable_output();
    for (std::size_t k = 0; k < n; ++k) {
        h_[k] *= o_[k];
        y[k] = h_[k];
    }
}

}  // namespace dn
