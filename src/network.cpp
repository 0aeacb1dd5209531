#include "network.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include "layers/convolutional_layer.h"
#include "layers/crnn_layer.h"
#include "conv_auto.h"
#include "error.h"
#include "layers/route_layer.h"

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
    for (auto& l : layers) {
        l->allocate_output();
        l->weights_ready();
    }
    place_route_sources();
    resize_workspace();
}

// Zero-copy [route]: with batch 1 a route's output is its sources' outputs one after the
// other, so each source can write straight into its slice of the route's buffer (later
// readers of the source see the same floats through output()). A source qualifies when it
// owns its output (not a pass-through such as dropout), is not already placed in another
// route, hosts no placed sources itself, and appears once in this route's list; a route
// whose sources do not all qualify keeps copying.
void Network::place_route_sources() {
    if (batch != 1) return;
    std::vector<char> placed(layers.size(), 0), hosts(layers.size(), 0);
    for (std::size_t i = 0; i < layers.size(); ++i) {
        auto* route = dynamic_cast<RouteLayer*>(layers[i].get());
        if (!route || !route->whole_sources()) continue;
        const std::vector<int>& src = route->sources();
        bool ok = true;
        for (std::size_t k = 0; k < src.size() && ok; ++k) {
            const Layer& l = *layers[src[k]];
            ok = !placed[src[k]] && !hosts[src[k]] && l.owned_output_floats() == l.outputs() &&
                 std::count(src.begin(), src.end(), src[k]) == 1;
        }
        if (!ok) continue;
        std::size_t offset = 0;
        for (int s : src) {
            layers[s]->place_output(route->mutable_output() + offset);
            offset += layers[s]->outputs();
            placed[s] = 1;
        }
        hosts[i] = 1;
    }
}

void Network::resize_workspace() {
    std::size_t ws = 0;
    for (const auto& l : layers) ws = std::max(ws, l->workspace_bytes());
    workspace_.assign((ws + sizeof(float) - 1) / sizeof(float), 0.f);
    workspace_.shrink_to_fit();
}

void Network::set_conv_method(const std::string& name, int layer) {
    if (layer >= size())
        throw Error("layer " + std::to_string(layer) + " is out of range: the network has " +
                    std::to_string(size()) + " layers");
    MethodRequest req{name, MethodSource::api, ""};
    const bool planned = is_auto_method(name);
    if (!planned) require_backend(name, req.where);
    // `auto` through the API: time the backends now (no plan file), once per distinct shape,
    // keep the fastest.
    std::map<std::string, std::string> chosen;
    auto apply = [&](ConvolutionalLayer* conv, bool strict) {
        MethodRequest r = req;
        if (planned) {
            std::string& best = chosen[conv->conv_params().to_string()];
            if (best.empty()) best = time_backends(conv->conv_params(), threads)[0].backend->name;
            r.name = best;
        }
        conv->set_method(r, strict);
    };
    // A [crnn]'s three convolutions count as its convolutions.
    auto apply_layer = [&](Layer* l, bool strict) {
        if (auto* conv = dynamic_cast<ConvolutionalLayer*>(l)) {
            apply(conv, strict);
            return true;
        }
        if (auto* crnn = dynamic_cast<CrnnLayer*>(l)) {
            for (int i = 0; i < 3; ++i) apply(&crnn->sublayer(i), strict);
            return true;
        }
        return false;
    };
    if (layer >= 0) {
        if (!apply_layer(layers[layer].get(), true))
            throw Error("layer " + std::to_string(layer) + " is [" + layers[layer]->kind() +
                        "], not convolutional");
    } else {
        for (auto& l : layers) apply_layer(l.get(), false);
    }
    resize_workspace();
}

const float* Network::forward(const float* in, std::vector<double>* layer_seconds) {
    ForwardContext ctx;
    ctx.threads = threads;
    ctx.workspace = workspace_.data();
    if (layer_seconds) layer_seconds->resize(layers.size(), 0.0);
    const float* x = in;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        Layer& l = *layers[i];
        if (layer_seconds) {
            const auto t0 = std::chrono::steady_clock::now();
            l.forward(x, *this, ctx);
            (*layer_seconds)[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        } else {
            l.forward(x, *this, ctx);
        }
        x = l.output();
    }
    return output_layer().output();
}

std::size_t Network::memory_bytes() {
    std::size_t floats = workspace_.size();
    for (auto& l : layers) {
        floats += l->owned_output_floats();
        for (const ParamRef& p : l->params()) floats += p.data->size();
    }
    return floats * sizeof(float);
}

}  // namespace dn
