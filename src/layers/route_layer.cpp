#include "layers/route_layer.h"

#include <omp.h>

#include <cstring>

#include "network.h"

namespace dn {

RouteLayer::RouteLayer(int batch_, std::vector<int> sources, const std::vector<Shape>& shapes, int groups,
                       int group_id)
    : sources_(std::move(sources)), groups_(groups), group_id_(group_id) {
    batch = batch_;
    out = {0, shapes.at(0).h, shapes.at(0).w};
    for (const Shape& s : shapes) out.c += s.c / groups_;
    in = out;
}

std::string RouteLayer::describe() const {
    std::string s = "route ";
    for (int i : sources_) s += " " + std::to_string(i);
    if (groups_ > 1) s += "  " + std::to_string(group_id_) + "/" + std::to_string(groups_);
    return s;
}

void RouteLayer::forward(const float*, const Network& net, const ForwardContext& ctx) {
    float* y = mutable_output();
    // Sources that Network::finalize placed inside this buffer are already in place. The rest
    // are plain copies; very large ones are split into one slice per thread (copies are exact,
    // so any split gives the same output). Below 4 MB a copy takes less time than a parallel
    // region costs when the cores are shared.
    const int threads = std::size_t(batch) * outputs() >= (std::size_t(1) << 20) ? ctx.threads : 1;
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
        const std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
        std::size_t offset = 0;
        for (int src : sources_) {
            const Layer& l = net.layer(src);
            const std::size_t whole = l.outputs(), n = whole / groups_;  // channel slices are contiguous
            const std::size_t from = n * group_id_;
            const std::size_t lo = n * t / nt, hi = n * (t + 1) / nt;
            if (l.output() == y + offset) {
                offset += n;
                continue;
            }
            for (int b = 0; b < batch; ++b)
                if (hi > lo)
                    std::memcpy(y + b * outputs() + offset + lo, l.output() + b * whole + from + lo, (hi - lo) * sizeof(float));
            offset += n;
        }
    }
}

}  // namespace dn
