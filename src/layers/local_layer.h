// [local] (pjreddie's Darknet): a locally connected layer, a convolution whose filters are
// not shared: every output location j has its own filters x (c * size * size) weights and
// every output value its own bias. Upstream's geometry: pad is the padding in pixels (0 or
// what the cfg says, not size/2), the output is (h - (pad ? 1 : size)) / stride + 1 per axis,
// and the windows are im2col's, starting at -pad. Weights file order: the out.size() biases
// [filter][location], then the weights [location][filter][channel][ky][kx].
// Each output is the bias plus the window's products added in that order, in float, as
// upstream's gemm_nn does.
#pragma once
#include <vector>

#include "activations.h"
#include "layer.h"

namespace dn {

struct LocalParams {
    int filters = 1, size = 1, stride = 1, pad = 0;
};

class LocalLayer : public Layer {
public:
    // The caller checked that the output is at least 1x1 and that im2col's window count
    // ((h + 2 * pad - size) / stride + 1) equals it; see local_output_size.
    LocalLayer(int batch, Shape input, const LocalParams& p, Activation act);
    const char* kind() const override { return "local"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    double flops() const override { return 2.0 * window() * out.size(); }
    std::vector<ParamRef> params() override;

private:
    int window() const { return in.c * p_.size * p_.size; }

    LocalParams p_;
    Activation activation_;
    std::vector<float> biases_, weights_;
};

// Upstream's local_out_height/width for an input side of `side` pixels (may be < 1).
inline int local_output_size(int side, const LocalParams& p) {
    return (side - (p.pad ? 1 : p.size)) / p.stride + 1;
}
// The window count upstream's im2col produces along that side.
inline int local_window_count(int side, const LocalParams& p) {
    return (side + 2 * p.pad - p.size) / p.stride + 1;
}

}  // namespace dn
