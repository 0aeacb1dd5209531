// The one point where the library's detection calls (get_network_boxes in the C API,
// darknet::Network::detect in the C++ API) read a network's detection layers.
//
// Wiring point: [yolo] and [region] are being implemented on the `detect` branch. Until it
// is merged no network here has detection layers, so these report 0 classes and no boxes.
// Once it lands, src/detection_hook.cpp forwards to that branch's dn::detection_classes and
// dn::get_network_boxes (src/detection.h) and copies each dn::Detection into a
// BoxDetection; nothing else in the C or C++ API changes.
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
// boxes when the network has no detection layers. Throws dn::Error if the network has
// detection layers this hook does not read yet.
std::vector<BoxDetection> network_boxes(const Network& net, int w, int h, float thresh,
                                        float hier, bool relative);

}  // namespace dn
