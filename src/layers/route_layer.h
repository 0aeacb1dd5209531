// [route]: concatenates earlier layers' outputs along channels (all the same width and
// height), as upstream. AlexeyAB's groups/group_id take from each source only its
// group_id-th of `groups` equal channel slices.
#pragma once
#include <vector>

#include "layer.h"

namespace dn {

class RouteLayer : public Layer {
public:
    // sources: absolute indices of earlier layers; shapes: their output shapes.
    RouteLayer(int batch, std::vector<int> sources, const std::vector<Shape>& shapes, int groups = 1,
               int group_id = 0);
    const char* kind() const override { return "route"; }
    std::string describe() const override;
    void forward(const float* input, const Network& net, const ForwardContext& ctx) override;
    const std::vector<int>& sources() const { return sources_; }
    // Whether the output is the sources' whole outputs one after the other (no groups).
    bool whole_sources() const { return groups_ == 1; }

private:
    std::vector<int> sources_;
    int groups_ = 1, group_id_ = 0;
};

}  // namespace dn
