// See detection_hook.h: the wiring point for detection layers. The layer kinds below are
// upstream's short names for [yolo], [region] and [detection], as Layer::kind() gives them.
#include "detection_hook.h"

#include <cstring>

#include "error.h"
#include "network.h"

namespace dn {

namespace {

bool is_detection_layer(const Layer& l) {
    const char* k = l.kind();
    return !std::strcmp(k, "yolo") || !std::strcmp(k, "region") || !std::strcmp(k, "detection");
}

// A detection layer reaching the API before this hook reads it must fail loudly rather
// than look like an image with nothing in it.
void require_no_detection_layers(const Network& net) {
    for (int i = 0; i < net.size(); ++i)
        if (is_detection_layer(net.layer(i)))
            throw Error(net.cfg_path + ": layer " + std::to_string(i) + " is [" +
                        net.layer(i).kind() +
                        "], which the library's detection calls do not read yet "
                        "(wire it in src/detection_hook.cpp)");
}

}  // namespace

int network_detection_classes(const Network& net) {
    require_no_detection_layers(net);
    return 0;
}

std::vector<BoxDetection> network_boxes(const Network& net, int, int, float, float, bool) {
    require_no_detection_layers(net);
    return {};
}

}  // namespace dn
