// Which backend runs a convolutional layer. Precedence, highest first: -method on the
// command line, DARKNET_CONV_METHOD, `method=` in the [convolutional] section, `method=`
// in [net], the built-in default (the first backend of the table that supports the layer).
#pragma once
#include <string>

#include "conv_backend.h"

namespace dn {

// api: set after load through the library (darknet_set_conv_method and friends).
enum class MethodSource { cli, env, layer_cfg, net_cfg, builtin, api };
// "-method", "env", "cfg", "[net]", "default", "api"
const char* method_source_name(MethodSource s);

// A requested method and where the request came from; name empty when not requested.
struct MethodRequest {
    std::string name;
    MethodSource source = MethodSource::builtin;
    std::string where;  // "file:line: [convolutional] #3: method: " for cfg keys, else ""
};

struct MethodChoice {
    const ConvBackend* backend = nullptr;
    MethodSource source = MethodSource::builtin;
    std::string notice;  // non-empty when a global request fell back for this layer
    std::string detail;  // how `auto` or the plan file decided, for the layer table
};

// True for the policy name "auto" (any case): time the backends, keep the fastest.
bool is_auto_method(const std::string& name);

// Looks a method name up (case-insensitive). Throws dn::Error "<what>: unknown convolution
// method "x" (valid: ...)" when unknown.
const ConvBackend* require_backend(const std::string& name, const std::string& what,
                                   const ConvBackend* const* table = conv_backends());

// The built-in default: the first backend of `table` that supports the layer and whose
// speed hint does not decline it; the first supporting one if every hint declines.
const ConvBackend* default_backend(const ConvParams& p, const ConvBackend* const* table = conv_backends());

// Picks the backend for one layer from the requests in precedence order (the first one
// with a non-empty name wins). A per-layer cfg request the backend cannot run is an error
// at its file:line; any other request falls back to the first supporting backend with a
// notice naming the layer and the reason.
// `table` is the null-terminated backend table to choose from (tests pass their own).
MethodChoice choose_backend(const ConvParams& p, int layer_index, const MethodRequest* requests,
                            int n_requests, const ConvBackend* const* table = conv_backends());

}  // namespace dn
