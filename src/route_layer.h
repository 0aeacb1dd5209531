// [route]: concatenates earlier layers' outputs along channels (all the same width and
// height), as upstream.
#pragma once
#include <vector>

#include "layer.h"

namespace dn {

class RouteLayer : public Layer {
public:
    // sources: absolute indices of earlier layers; shapes: their output shapes.
    RouteLayer(int batch, std::vector<int> sources, const std::vector<Shape>& shapes);
    const char* kind() const override { return "route"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    const std::vector<int>& sources() const { return sources_; }

private:
    std::vector<int> sources_;
};

}  // namespace dn
