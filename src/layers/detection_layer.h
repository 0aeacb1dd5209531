// [detection] (YOLOv1's head, pjreddie's Darknet): the input (side * side * ((1 + coords) * num
// + classes) values, from a [connected] layer) laid out as the class probabilities of every
// cell [cell][class], then each box's confidence [cell][box], then each box's x, y, w, h
// [cell][box][4]. The forward pass copies it, with a softmax over each cell's classes when
// softmax=1. Boxes are decoded afterwards (get_detections), as upstream: no letterbox
// correction, in pixels of the image, and w, h squared when sqrt=1.
#pragma once
#include "layer.h"

namespace dn {

struct Detection;

struct DetectionOptions {
    int classes = 1, coords = 1, side = 7, num = 1;
    bool softmax = false, sqrt = false;
};

class DetectionLayer : public Layer {
public:
    // The caller checked coords >= 4 and input.size() == side^2 * ((1 + coords) * num + classes).
    DetectionLayer(int batch, Shape input, const DetectionOptions& opt);
    const char* kind() const override { return "detection"; }
    std::string describe() const override { return "Detection Layer"; }
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;

    int classes() const { return opt_.classes; }
    int num_detections() const { return opt_.side * opt_.side * opt_.num; }
    // Writes num_detections() boxes of image 0 for a w x h image (upstream's
    // get_detection_detections): box [cell * num + n] has objectness = its confidence (never
    // thresholded) and class j probability confidence * p(class j), 0 unless above thresh.
    void get_detections(int w, int h, float thresh, Detection* dets) const;

private:
    DetectionOptions opt_;
};

}  // namespace dn
