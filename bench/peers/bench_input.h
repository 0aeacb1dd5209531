// The benchmark input shared by `darknet bench` and the peer programs: c x h x w floats in
// [0,1) from the same linear congruential generator as examples/cli/bench.cpp, so every
// program sees the same image and their outputs can be compared.
#pragma once
#include <stddef.h>
#include <stdint.h>

static inline void bench_input(float* x, size_t n) {
    uint32_t s = 12345;
    for (size_t i = 0; i < n; ++i) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) * (1.0f / 16777216.0f);
    }
}
