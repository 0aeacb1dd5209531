#include "conv_backend.h"

#include <cstdio>

namespace dn {

bool ConvParams::finish() {
    if (batch < 1 || c < 1 || h < 1 || w < 1 || filters < 1) return false;
    if (ksize < 1 || stride < 1 || pad < 0 || dilation < 1 || groups < 1) return false;
    if (c % groups != 0 || filters % groups != 0) return false;
    const int span = dilation * (ksize - 1) + 1;
    if (h + 2 * pad < span || w + 2 * pad < span) return false;
    out_h = (h + 2 * pad - span) / stride + 1;
    out_w = (w + 2 * pad - span) / stride + 1;
    return out_h > 0 && out_w > 0;
}

std::string ConvParams::to_string() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "mb%d_g%d_ic%doc%d_ih%diw%d_k%ds%dp%dd%d", batch, groups, c,
                  filters, h, w, ksize, stride, pad, dilation);
    return buf;
}

}  // namespace dn
