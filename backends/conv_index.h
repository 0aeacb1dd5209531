// Index clipping shared by the backends: which taps or output pixels of a row touch the
// input, so loops split into zero / copy / zero runs instead of testing every element.
#pragma once

namespace dn {

// A half-open range [lo, hi); empty when lo == hi.
struct IndexRange {
    int lo, hi;
};

// The i in [0, count) with 0 <= base + i * step < extent (step >= 1). Used both for kernel
// taps of one output pixel (base = o*stride - pad, step = dilation) and for output pixels
// of one tap (base = k*dilation - pad, step = stride).
inline IndexRange inside_range(int base, int step, int count, int extent) {
    int lo = base < 0 ? (-base + step - 1) / step : 0;
    int hi = base < extent ? (extent - 1 - base) / step + 1 : 0;
    if (hi > count) hi = count;
    if (lo > hi) lo = hi;
    return {lo, hi};
}

}  // namespace dn
