// Detections as upstream Darknet's detector produces them: boxes decoded from every [yolo]
// and [region] layer (get_network_boxes), letterbox-corrected back to the image, then
// per-class non-maximum suppression (do_nms_sort). Same arithmetic and order as upstream,
// so the same boxes survive and print in the same order.
#pragma once
#include <vector>

#include "box.h"
#include "image.h"

namespace dn {

class Network;

struct Detection {
    Box bbox;
    std::vector<float> prob;  // per class: objectness * class probability, 0 at or below thresh
    float objectness = 0;
    int sort_class = -1;      // the class do_nms_sort currently orders by
};

// Undoes the letterbox: maps boxes relative to the netw x neth input back to a w x h image
// (relative coordinates, or pixels when !relative). Upstream's correct_yolo_boxes and
// correct_region_boxes, which are the same.
void correct_boxes(Detection* dets, int n, int w, int h, int netw, int neth, bool relative);

// AlexeyAB's correct_yolo_boxes: like correct_boxes, but only when `letter` does it undo a
// letterbox (else the image was stretched to the network), with its own float rounding.
void correct_boxes_alexeyab(Detection* dets, int n, int w, int h, int netw, int neth, bool relative,
                            bool letter);

// Classes of the network's output layer, which must be [yolo], [region] or [detection]; throws dn::Error
// naming the cfg otherwise.
int detection_classes(const Network& net);

// Boxes of every [yolo], [region] and [detection] layer after a forward pass on a letterboxed
// w x h image ([detection]: one per box and cell, in pixels, see detection_layer.h):
// [yolo] gives one box per anchor with objectness > thresh, [region] one per anchor and cell
// (objectness 0 when at or below thresh). `hier` is upstream's tree threshold: a [region]
// with tree= labels each box with the tree's top prediction at that threshold.
// `letter` (AlexeyAB's dialect only): whether the image was letterboxed or stretched.
// `map` (map= of `detector valid`): see RegionLayer::get_detections; each entry must be a
// class of every tree [region] (check_class_map).
std::vector<Detection> get_network_boxes(const Network& net, int w, int h, float thresh,
                                         float hier, bool relative, bool letter = true,
                                         const std::vector<int>* map = nullptr);

// Upstream's read_map: one class index a line (map= of a .data file; YOLO9000's
// inet9k.map gives the tree class of each of the 200 ImageNet detection classes). Throws
// dn::Error naming path:line for a line that is not an integer.
std::vector<int> read_class_map(const std::string& path);

// Throws dn::Error naming `path` unless every [region] with tree= can read the map: at
// least `needed` entries, each a class of that layer. Networks without a tree ignore maps.
void check_class_map(const Network& net, const std::vector<int>& map, std::size_t needed,
                     const std::string& path);

// Upstream's do_nms_sort: moves boxes with objectness 0 to the end, then for each class sorts
// the rest by that class's probability (stable, as glibc's merge sort) and zeroes the class in
// every later box whose IoU with a kept one exceeds `thresh`. Same result (probabilities, order,
// sort_class), computed by nms_sort_live.
void do_nms_sort(std::vector<Detection>& dets, int classes, float thresh);

// AlexeyAB's do_nms_sort (kind standard; its box_iou is 0 for empty boxes) and diounms_sort
// (greedy: DIoU with exponent 0.6; diou: DIoU with exponent beta), same order and arithmetic.
void do_nms_alexeyab(std::vector<Detection>& dets, int classes, float thresh, int kind, float beta);

// The work of upstream's do_nms_sort after the swap loop, on n boxes: zeroes the suppressed
// probabilities through prob[i][c] and returns the order upstream's successive sorts leave
// (order[k] = the box at position k). Each class costs only its live boxes (probability not
// 0): sorting them and comparing each with the survivors before it, instead of upstream's
// sort of all n boxes and scan of every later box. Probabilities must not be NaN (upstream's
// sort order is then unspecified; detections never store one). One difference no printed line
// shows: a -0 probability (not live) stays -0 where upstream overwrites it with +0.
std::vector<int> nms_sort_live(int n, int classes, float thresh, float* const* prob,
                               const Box* boxes);

// How `detector test` runs a detector in its cfg's dialect. pjreddie's letterboxes the image
// and suppresses with do_nms_sort. AlexeyAB's stretches it to the network unless letter_box
// (its [net] key or -letter_box) and suppresses with the NMS kind and beta of its last [yolo].
struct DetectorPipeline {
    bool alexeyab = false;
    bool letter = true;
    int nms_kind = 0;  // YoloOptions::NmsKind, AlexeyAB's dialect only
    float beta_nms = .6f;
};
DetectorPipeline detector_pipeline(const Network& net, bool letter_box_flag);
// The network input for image `im`: letterboxed or stretched to netw x neth.
Image detector_input(const DetectorPipeline& p, const Image& im, int netw, int neth);
// Boxes of the last forward pass on detector_input(im) (im_w x im_h, relative coordinates),
// then the dialect's NMS at IoU threshold `nms` (none when nms <= 0).
std::vector<Detection> detector_boxes(const Network& net, const DetectorPipeline& p, int im_w,
                                      int im_h, float thresh, float hier, float nms);

// A box in whole pixels, clipped to the image, as upstream's draw_detections computes it.
struct PixelBox {
    int left = 0, top = 0, right = 0, bottom = 0;
};
PixelBox to_pixels(const Box& b, int im_w, int im_h);

}  // namespace dn
