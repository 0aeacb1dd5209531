#include "conv_select.h"

#include <cctype>

#include "error.h"

namespace dn {

static bool equals_ignore_case(const std::string& a, const char* b) {
    std::size_t i = 0;
    for (; i < a.size() && b[i]; ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return i == a.size() && !b[i];
}

const char* method_source_name(MethodSource s) {
    switch (s) {
        case MethodSource::cli: return "-method";
        case MethodSource::env: return "env";
        case MethodSource::layer_cfg: return "cfg";
        case MethodSource::net_cfg: return "[net]";
        case MethodSource::builtin: return "default";
        case MethodSource::api: return "api";
    }
    return "?";
}

bool is_auto_method(const std::string& name) { return equals_ignore_case(name, "auto"); }

const ConvBackend* require_backend(const std::string& name, const std::string& what,
                                   const ConvBackend* const* table) {
    std::string valid;
    for (const ConvBackend* const* b = table; *b; ++b) {
        if (equals_ignore_case(name, (*b)->name)) return *b;
        valid += valid.empty() ? "" : ", ";
        valid += (*b)->name;
    }
    throw Error(what + "unknown convolution method \"" + name + "\" (valid: " + valid + ", auto)");
}

static const ConvBackend* first_supporting(const ConvParams& p, const ConvBackend* const* table) {
    for (const ConvBackend* const* b = table; *b; ++b) {
        const char* why = nullptr;
        if ((*b)->supports(p, &why)) return *b;
    }
    return nullptr;
}

const ConvBackend* default_backend(const ConvParams& p, const ConvBackend* const* table) {
    for (const ConvBackend* const* b = table; *b; ++b) {
        const char* why = nullptr;
        if ((*b)->supports(p, &why) && (!(*b)->preferred || (*b)->preferred(p))) return *b;
    }
    return first_supporting(p, table);
}

MethodChoice choose_backend(const ConvParams& p, int layer_index, const MethodRequest* requests,
                            int n_requests, const ConvBackend* const* table) {
    MethodChoice choice;
    for (int i = 0; i < n_requests; ++i) {
        const MethodRequest& r = requests[i];
        if (r.name.empty()) continue;
        const ConvBackend* b = require_backend(r.name, r.where, table);
        choice.source = r.source;
        const char* why = "not supported";
        if (b->supports(p, &why)) {
            choice.backend = b;
            return choice;
        }
        if (r.source == MethodSource::layer_cfg)
            throw Error(r.where + "method " + b->name + " cannot run this layer (" + p.to_string() +
                        "): " + why);
        choice.backend = default_backend(p, table);
        DN_ASSERT(choice.backend);
        choice.notice = "layer " + std::to_string(layer_index) + ": method " + b->name +
                        " cannot run " + p.to_string() + " (" + why + "), using " +
                        choice.backend->name;
        return choice;
    }
    choice.backend = default_backend(p, table);
    DN_ASSERT(choice.backend);
    choice.source = MethodSource::builtin;
    return choice;
}

}  // namespace dn
