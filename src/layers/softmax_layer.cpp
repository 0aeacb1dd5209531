#include "layers/softmax_layer.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <utility>

namespace dn {

SoftmaxLayer::SoftmaxLayer(int batch_, Shape input, int groups, float temperature,
                           std::shared_ptr<const Tree> tree)
    : groups_(groups), temperature_(temperature), tree_(std::move(tree)) {
    batch = batch_;
    in = input;
    out = input;
}

std::string SoftmaxLayer::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "softmax                                        %4zu",
                  in.size());
    return buf;
}

void softmax(const float* input, int n, float temp, int stride, float* output) {
    float largest = -FLT_MAX;
    for (int i = 0; i < n; ++i)
        if (input[i * stride] > largest) largest = input[i * stride];
    float sum = 0;
    for (int i = 0; i < n; ++i) {
        const float e = static_cast<float>(std::exp(double(input[i * stride] / temp - largest / temp)));
        sum += e;
        output[i * stride] = e;
    }
    for (int i = 0; i < n; ++i) output[i * stride] /= sum;
}

void SoftmaxLayer::forward(const float* input, const Network&, const ForwardContext&) {
    const int inputs = static_cast<int>(in.size());
    const int n = inputs / groups_;
    float* y = mutable_output();
    if (tree_) {
        for (int b = 0; b < batch; ++b)
            for (int g = 0; g < tree_->groups(); ++g) {
                const std::size_t at = std::size_t(b) * inputs + tree_->group_offset[g];
                softmax(input + at, tree_->group_size[g], temperature_, 1, y + at);
            }
        return;
    }
    for (int b = 0; b < batch; ++b)
        for (int g = 0; g < groups_; ++g)
            softmax(input + std::size_t(b) * inputs + g * n, n, temperature_, 1,
                    y + std::size_t(b) * inputs + g * n);
}

}  // namespace dn
