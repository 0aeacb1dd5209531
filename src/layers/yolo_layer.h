// [yolo] (YOLOv3): applies the logistic to x, y, objectness and class scores of each masked
// anchor; box decoding happens after the forward pass (get_detections). The input must have
// mask-size * (classes + 5) channels, laid out [anchor][x, y, w, h, obj, classes...][h][w].
#pragma once
#include <vector>

#include "layer.h"

namespace dn {

struct Detection;

// AlexeyAB's non-maximum suppression kinds ([yolo] nms_kind): default is upstream's
// do_nms_sort; greedynms drops boxes by DIoU with exponent 0.6, diounms by DIoU with beta_nms.
enum class NmsKind { standard, greedy, diou };

// What AlexeyAB's fork adds to [yolo]. Defaults: upstream's layer.
struct YoloOptions {
    bool alexeyab = false;  // its float logistic and scale step, its letterbox correction
    float scale_x_y = 1;    // x, y <- x * scale_x_y - (scale_x_y - 1) / 2 after the logistic
    bool new_coords = false;  // inputs already activated; w, h = (2 t)^2 * anchor
    NmsKind nms_kind = NmsKind::standard;
    float beta_nms = .6f;
};

class YoloLayer : public Layer {
public:
    // biases: 2 per anchor (w, h in input pixels), all `total` anchors; mask: the anchors
    // this layer predicts, each in [0, total).
    YoloLayer(int batch, Shape input, int classes, std::vector<int> mask, std::vector<float> biases,
              const YoloOptions& options = {});
    const char* kind() const override { return "yolo"; }
    std::string describe() const override { return "yolo"; }
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

    int classes() const { return classes_; }
    int anchors() const { return static_cast<int>(mask_.size()); }  // boxes per cell
    // Boxes of image 0 with objectness > thresh (upstream's yolo_num_detections).
    virtual int num_detections(float thresh) const;
    // Writes those boxes to dets, letterbox-corrected to a w x h image, and returns how
    // many (upstream's get_yolo_detections). Each dets[i].prob must hold classes() floats.
    // letter: the image was letterboxed (always, in upstream; AlexeyAB's only with letter_box).
    virtual int get_detections(int w, int h, int netw, int neth, float thresh, bool relative,
                               Detection* dets, bool letter = true) const;
    const YoloOptions& options() const { return options_; }

private:
    std::size_t entry_index(int batch_index, int location, int entry) const;

protected:  // for [Gaussian_yolo] (layers/gaussian_yolo_layer.h), which has other entries
    int classes_;
    std::vector<int> mask_;
    std::vector<float> biases_;
    YoloOptions options_;
};

}  // namespace dn
