// See detection_hook.h: the library's detection calls read [yolo] and [region] layers
// through src/detection.h, and copy each dn::Detection into a BoxDetection.
#include "detection_hook.h"

#include <cstring>
#include <vector>

#include "detection.h"
#include "layers/region_layer.h"
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
                                        bool relative, const int* map) {
    if (!has_detection_layer(net)) return {};
    bool tree = false;
    for (int i = 0; i < net.size(); ++i)
        if (const auto* r = dynamic_cast<const RegionLayer*>(&net.layer(i))) tree = tree || r->has_tree();
    if (!map || !tree) return copy_out(get_network_boxes(net, w, h, thresh, hier, relative));
    const std::vector<int> classes(map, map + 200);  // upstream reads 200, YOLO9000's ImageNet classes
    check_class_map(net, classes, classes.size(), "get_network_boxes: map");
    return copy_out(get_network_boxes(net, w, h, thresh, hier, relative, true, &classes));
}

std::vector<BoxDetection> network_detections(const Network& net, int w, int h, float thresh,
                                             float hier, float nms) {
    if (!has_detection_layer(net)) return {};
    return copy_out(detector_boxes(net, detector_pipeline(net, false), w, h, thresh, hier, nms));
}

}  // namespace dn
