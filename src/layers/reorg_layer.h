// [reorg] (YOLOv2's passthrough): upstream's reorg_cpu index mapping, kept exactly, including
// its well-known quirk that the forward pass uses the "backward" direction (trained weights
// depend on it). Also upstream's flatten (HWC <-> CHW per image) and extra (copy the input
// into a longer flat vector, zero-padded) modes.
#pragma once
#include "layer.h"

namespace dn {

struct ReorgOptions {
    int stride = 1;
    bool reverse = false, flatten = false;
    int extra = 0;
};

class ReorgLayer : public Layer {
public:
    // Without extra, the caller has checked that stride divides w and h and, for the index
    // mapping, that stride*stride divides c.
    ReorgLayer(int batch, Shape input, const ReorgOptions& opt);
    const char* kind() const override { return "reorg"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    ReorgOptions opt_;
};

// Upstream's reorg_cpu on a w x h x c input (batch images): with forward, out[o] = x[i];
// otherwise out[i] = x[o], where i walks the w x h x c layout and o the matching position
// in the (w*stride) x (h*stride) x (c/stride^2) layout.
void reorg(const float* x, int w, int h, int c, int batch, int stride, bool forward, float* out);

}  // namespace dn
