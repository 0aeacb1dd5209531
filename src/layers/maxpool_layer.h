// [maxpool]: upstream's window, offset and padding rules (padding defaults to size-1 and
// is split as padding/2 before the window; pixels outside the input are ignored).
#pragma once
#include "layer.h"

namespace dn {

class MaxpoolLayer : public Layer {
public:
    MaxpoolLayer(int batch, Shape input, int size, int stride, int padding);
    const char* kind() const override { return "max"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    int size_, stride_, padding_;
};

// Whether maxpool may run its SIMD code: the AVX-512 kernels of stride-2 windows of size 2
// and 3 and of stride-1 windows of any size, and the AVX2 and AVX-512 builds of the loops, each when the ISA of the GEMM
// kernel in use is that one (the CPU has it, DARKNET_ISA names no narrower ISA;
// gemm_kernels.h). On by default; tests turn it off to run the baseline path on any CPU.
void maxpool_allow_simd(bool allow);

}  // namespace dn
