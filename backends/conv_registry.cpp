// The one ordered table of convolution backends. Order is speed preference (fastest
// expected first): our own GEMM-kernel backends (`direct`, `winograd`, `packed`:
// gemm_kernels.h), the BLAS 1x1 path, then the paper's BLAS methods, then `mcmk`, which
// supports every geometry and ends the list, so a walk over the table always finds a
// backend. The built-in default is that walk, skipping backends whose measured `preferred`
// hint declines the layer: `direct` takes the early layers and 1x1 squeeze layers,
// `winograd` 3x3 layers over many channels, and `packed`, which supports every geometry and
// has no hint, everything else. `auto` measures instead.
// Selection policy lives in src/conv_select.cpp.
#include <cctype>

#include "conv_backend.h"

namespace dn {

extern const ConvBackend conv_packed;
extern const ConvBackend conv_direct;
extern const ConvBackend conv_1x1;
extern const ConvBackend conv_winograd;
extern const ConvBackend conv_winograd4;
extern const ConvBackend conv_im2row_gemm;
extern const ConvBackend conv_im2col_gemm;
extern const ConvBackend conv_mcmk;

const ConvBackend* const* conv_backends() {
    static const ConvBackend* const table[] = {
        &conv_direct,
        &conv_winograd4,
        &conv_winograd,
        &conv_packed,
        &conv_1x1,
        &conv_im2col_gemm,
        &conv_im2row_gemm,
        &conv_mcmk,
        nullptr,
    };
    return table;
}

const ConvBackend* find_conv_backend(std::string_view name) {
    for (const ConvBackend* const* b = conv_backends(); *b; ++b) {
        std::string_view id = (*b)->name;
        if (id.size() != name.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < id.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(name[i])) == id[i];
        if (same) return *b;
    }
    return nullptr;
}

std::string conv_backend_names() {
    std::string names;
    for (const ConvBackend* const* b = conv_backends(); *b; ++b) {
        if (!names.empty()) names += ", ";
        names += (*b)->name;
    }
    return names;
}

}  // namespace dn
