// [Gaussian_yolo] (AlexeyAB's fork; Gaussian YOLOv3, Choi et al., ICCV 2019): a [yolo] head
// whose box coordinates each come with an uncertainty (sigma). Per masked anchor the input
// holds classes + 9 channels: x, sigma_x, y, sigma_y, w, sigma_w, h, sigma_h, objectness,
// classes... The forward pass applies AlexeyAB's float logistic to every entry but w and h,
// and scale_x_y to x and y. A box's class probability is objectness * class score *
// (1 - the mean of the four sigmas); the sigmas are not otherwise printed.
#pragma once
#include <vector>

#include "layers/yolo_layer.h"

namespace dn {

// Where (x, y) sits in the box (its yolo_point key): the centre, or the left-top or
// right-bottom corner, from which the centre is found by half the box's size.
enum class YoloPoint { center, left_top, right_bottom };

class GaussianYoloLayer : public YoloLayer {
public:
    // As YoloLayer, with mask.size() * (classes + 9) input channels (checked by the parser).
    // options: AlexeyAB's scale_x_y, nms_kind and beta_nms (new_coords does not apply).
    GaussianYoloLayer(int batch, Shape input, int classes, std::vector<int> mask, std::vector<float> biases,
                      const YoloOptions& options, YoloPoint point);
    const char* kind() const override { return "gaussian_yolo"; }
    std::string describe() const override { return "Gaussian_yolo"; }
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

    int num_detections(float thresh) const override;
    // AlexeyAB's get_gaussian_yolo_detections; its box correction is pjreddie's letterbox
    // correction when `letter`, else none (the image was stretched).
    int get_detections(int w, int h, int netw, int neth, float thresh, bool relative, Detection* dets,
                       bool letter = true) const override;

private:
    std::size_t entry(int batch_index, int location, int entry) const;

    YoloPoint point_;
};

}  // namespace dn
