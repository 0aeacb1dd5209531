#include "route_layer.h"

#include <cstring>

#include "network.h"

namespace dn {

RouteLayer::RouteLayer(int batch_, std::vector<int> sources, const std::vector<Shape>& shapes)
    : sources_(std::move(sources)) {
    batch = batch_;
    out = {0, shapes.at(0).h, shapes.at(0).w};
    for (const Shape& s : shapes) out.c += s.c;
    in = out;
}

std::string RouteLayer::describe() const {
    std::string s = "route ";
    for (int i : sources_) s += " " + std::to_string(i);
    return s;
}

void RouteLayer::forward(const float*, const Network& net, const ForwardContext&) {
    float* y = mutable_output();
    std::size_t offset = 0;
    for (int src : sources_) {
        const Layer& l = net.layer(src);
        const std::size_t n = l.outputs();
        for (int b = 0; b < batch; ++b)
            std::memcpy(y + b * outputs() + offset, l.output() + b * n, n * sizeof(float));
        offset += n;
    }
}

}  // namespace dn
