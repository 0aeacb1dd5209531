#include "layers/crop_layer.h"

#include <cstdio>

#include "fp_exact.h"  // last: v * 2 - 1 rounds twice, as upstream

namespace dn {

CropLayer::CropLayer(int batch_, Shape input, int crop_height, int crop_width, bool noadjust) : noadjust_(noadjust) {
    batch = batch_;
    in = input;
    out = {input.c, crop_height, crop_width};
}

// Upstream prints "Crop Layer: h x w -> crop_height x crop_width x c image".
std::string CropLayer::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "Crop Layer: %d x %d -> %d x %d x %d image", in.h, in.w, out.h, out.w, out.c);
    return buf;
}

void CropLayer::forward(const float* input, const Network&, const ForwardContext&) {
    const float scale = noadjust_ ? 1.f : 2.f, trans = noadjust_ ? 0.f : -1.f;
    const int dh = (in.h - out.h) / 2, dw = (in.w - out.w) / 2;
    float* y = mutable_output();
    for (int p = 0; p < batch * in.c; ++p) {
        const float* src = input + std::size_t(p) * in.h * in.w;
        for (int i = 0; i < out.h; ++i) {
            const float* row = src + std::size_t(i + dh) * in.w + dw;
            for (int j = 0; j < out.w; ++j) *y++ = row[j] * scale + trans;
        }
    }
}

}  // namespace dn
