// [softmax]: over `groups` equal slices of the input, or over the groups of a softmax tree
// (tree=), with temperature, as upstream.
#pragma once
#include <memory>

#include "layer.h"
#include "tree.h"

namespace dn {

class SoftmaxLayer : public Layer {
public:
    // With a tree (tree=), a softmax over each of its groups of consecutive inputs instead.
    SoftmaxLayer(int batch, Shape input, int groups, float temperature,
                 std::shared_ptr<const Tree> tree = nullptr);
    const char* kind() const override { return "softmax"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

    const std::shared_ptr<const Tree>& tree() const { return tree_; }
    // Upstream's `rnn generate` sets every layer's temperature (-temp).
    void set_temperature(float t) { temperature_ = t; }

private:
    int groups_;
    float temperature_;
    std::shared_ptr<const Tree> tree_;
};

// Upstream's softmax of n values spaced `stride` apart (max subtracted, float sum).
void softmax(const float* input, int n, float temp, int stride, float* output);

}  // namespace dn
