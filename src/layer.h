// The layer interface. Each layer type lives in its own file pair, as in upstream Darknet;
// the parser (parser.cpp) builds them from cfg sections and the network runs them in order.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "aligned.h"

namespace dn {

class Network;

struct Shape {
    int c = 0, h = 0, w = 0;
    std::size_t size() const { return std::size_t(c) * h * w; }
};

// What forward() may use besides the layer's own state.
struct ForwardContext {
    int threads = 1;
    float* workspace = nullptr;  // network-wide scratch, largest workspace_bytes() of any layer
};

// One learnable array, in the order upstream's .weights files store them.
struct ParamRef {
    enum Role { bias, bn_scale, bn_mean, bn_var, weight } role;
    std::vector<float>* data;
    int fan_in;                   // inputs per output, for He-scaled random init
    int rows = 0, cols = 0;       // connected weights [outputs][inputs]: old files store
                                  // them transposed
};

class Layer {
public:
    virtual ~Layer() = default;

    // Upstream's short type name, as in its layer table ("conv", "max", "route", ...).
    virtual const char* kind() const = 0;
    // The rest of upstream's layer-table row after the index, e.g.
    // "conv     16  3 x 3 / 1   224 x 224 x   3   ->   224 x 224 x  16  0.043 BFLOPs".
    virtual std::string describe() const = 0;
    // Computes output() from `input` (the previous layer's output, or the network input)
    // and, for route/shortcut, other layers of `net`.
    virtual void forward(const float* input, const Network& net, const ForwardContext& ctx) = 0;

    virtual std::size_t workspace_bytes() const { return 0; }
    virtual double flops() const { return 0; }  // per image
    // Learnable arrays in file order; empty for layers without weights.
    virtual std::vector<ParamRef> params() { return {}; }
    // Called after weights were loaded or initialised (e.g. to prepare backend plans).
    virtual void weights_ready() {}

    const float* output() const { return alias_ ? alias_ : placed_ ? placed_ : output_.data(); }
    float* mutable_output() { return placed_ ? placed_ : output_.data(); }
    std::size_t owned_output_floats() const { return output_.size(); }
    // Makes this layer write its output at `at` (inside a concatenating route's buffer, so the
    // route has nothing to copy) and frees its own. Forward code must reach the output only
    // through mutable_output() and its size only through batch * outputs().
    void place_output(float* at) {
        placed_ = at;
        output_.clear();
        output_.shrink_to_fit();
    }
    bool output_placed() const { return placed_ != nullptr; }
    std::size_t outputs() const { return out.size(); }  // per image

    Shape in, out;
    int batch = 1;
    int index = 0;

    // Called once by Network::finalize, after the parser checked the size limits.
    virtual void allocate_output() {
        placed_ = nullptr;
        output_.assign(std::size_t(batch) * out.size(), 0.f);
    }

protected:
    FloatBuffer output_;
    const float* alias_ = nullptr;  // identity layers (dropout) pass their input through
    float* placed_ = nullptr;       // see place_output
};

}  // namespace dn
