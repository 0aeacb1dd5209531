// See detection_hook.h: the library's detection calls read [yolo] and [region] layers
// through src/detection.h, and copy each dn::Detection into a BoxDetection.
#include "detection_hook.h"

#include <cstring>

#include "detection.h"
#include "network.h"

namespace dn {

namespace {

bool has_detection_layer(const Network& net) {
    for (int i = 0; i < net.size(); ++i) {
        const char* k = net.layer(i).kind();
        if (!std::strcmp(k, "yolo") || !std::strcmp(k, "gaussian_yolo") || !std::strcmp(k, "region") || !std::strcmp(k, "detection")) return true;
    }
    return false;
}

}  // namespace

int network_detection_classes(const Network& net) {
    return has_detection_layer(net) ? detection_classes(net) : 0;
}

static std::vector<BoxDetection> copy_out(const std::vector<Detection>& dets) {
    std::vector<BoxDetection> out;
    for (const Detection& d : dets) {
        BoxDetection b;
        b.x = d.bbox.x, b.y = d.bbox.y, b.w = d.bbox.w, b.h = d.bbox.h;
        b.prob = d.prob;
        b.objectness = d.objectness;
        out.push_back(std::move(b));
    }
    return out;
}

std::vector<BoxDetection> network_boxes(const Network& net, int w, int h, float thresh, float hier,
                                        bool relative) {
    if (!has_detection_layer(net)) return {};
    return copy_out(get_network_boxes(net, w, h, thresh, hier, relative));
}

std::vector<BoxDetection> network_detections(const Network& net, int w, int h, float thresh,
                                             float hier, float nms) {
    if (!has_detection_layer(net)) return {};
    return copy_out(detector_boxes(net, detector_pipeline(net, false), w, h, thresh, hier, nms));
}

}  // namespace dn
