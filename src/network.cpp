#include "network.h"

#include <algorithm>
#include <cstring>

#include "error.h"

namespace dn {

const Layer& Network::output_layer() const {
    DN_ASSERT(!layers.empty());
    for (int i = size() - 1; i > 0; --i)
        if (std::strcmp(layers[i]->kind(), "cost") != 0) return *layers[i];
    return *layers[0];
}

std::size_t Network::outputs() const { return output_layer().outputs(); }

double Network::flops() const {
    double total = 0;
    for (const auto& l : layers) total += l->flops();
    return total;
}

void Network::finalize() {
    std::size_t ws = 0;
    for (auto& l : layers) {
        l->allocate_output();
        ws = std::max(ws, l->workspace_bytes());
        l->weights_ready();
    }
    workspace_.assign((ws + sizeof(float) - 1) / sizeof(float), 0.f);
}

const float* Network::forward(const float* in) {
    ForwardContext ctx;
    ctx.threads = threads;
    ctx.workspace = workspace_.data();
    const float* x = in;
    for (auto& l : layers) {
        l->forward(x, *this, ctx);
        x = l->output();
    }
    return output_layer().output();
}

}  // namespace dn
