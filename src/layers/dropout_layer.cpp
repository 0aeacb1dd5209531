#include "layers/dropout_layer.h"

#include <cstdio>

namespace dn {

DropoutLayer::DropoutLayer(int batch_, Shape input, float probability) : probability_(probability) {
    batch = batch_;
    in = input;
    out = input;
}

std::string DropoutLayer::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "dropout       p = %.2f               %4zu  ->  %4zu",
                  probability_, in.size(), in.size());
    return buf;
}

void DropoutLayer::forward(const float* input, const Network&, const ForwardContext&) {
    alias_ = input;
}

CostLayer::CostLayer(int batch_, Shape input) {
    batch = batch_;
    in = input;
    out = input;
}

std::string CostLayer::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "cost                                           %4zu", in.size());
    return buf;
}

void CostLayer::forward(const float* input, const Network&, const ForwardContext&) {
    alias_ = input;
}

}  // namespace dn
