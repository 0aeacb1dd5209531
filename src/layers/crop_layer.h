// [crop] (pjreddie's Darknet, and AlexeyAB's unchanged): at inference, the centre window of
// crop_height x crop_width of every channel (offset (h - crop_height) / 2, (w - crop_width) / 2,
// truncated), with each value v mapped to 2v - 1 in float unless noadjust=1. Its random
// offsets, flip, angle, saturation, exposure and shift apply only while training.
#pragma once
#include "layer.h"

namespace dn {

class CropLayer : public Layer {
public:
    // The caller checked crop_height <= input.h and crop_width <= input.w.
    CropLayer(int batch, Shape input, int crop_height, int crop_width, bool noadjust);
    const char* kind() const override { return "crop"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

private:
    bool noadjust_;
};

}  // namespace dn
