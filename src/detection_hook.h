// The one point where the library's detection calls (get_network_boxes in the C API,
// darknet::Network::detect in the C++ API) read a network's detection layers.
// It forwards to dn::detection_classes and dn::get_network_boxes (src/detection.h).
#pragma once
#include <vector>

namespace dn {

class Network;

// One decoded box, as the C API hands it out (upstream's `detection`, owning its storage).
struct BoxDetection {
    float x = 0, y = 0, w = 0, h = 0;  // centre and size, relative to the image or in pixels
    std::vector<float> prob;           // per class: objectness * class probability
    float objectness = 0;
};

// Classes of the network's detection layers; 0 when it has none.
int network_detection_classes(const Network& net);

// Boxes of every detection layer after a forward pass on a letterboxed w x h image, mapped
// back to that image (relative: in [0,1]; else pixels), upstream's get_network_boxes. No
// boxes when the network has no detection layers.
// `map` (may be null): upstream's class map, 200 entries read when the network has a
// [region] with tree= (see RegionLayer::get_detections); each must be one of its classes.
std::vector<BoxDetection> network_boxes(const Network& net, int w, int h, float thresh,
                                        float hier, bool relative, const int* map = nullptr);

// What `detector test` does after the forward pass on the input detector_input() made from
// a w x h image: the boxes in the cfg's dialect, relative to the image, after that
// dialect's NMS at `nms` (none when nms <= 0; see dn::DetectorPipeline). No boxes when the
// network has no detection layers.
std::vector<BoxDetection> network_detections(const Network& net, int w, int h, float thresh,
                                             float hier, float nms);

}  // namespace dn
