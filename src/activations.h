// Upstream Darknet's activation functions, with its names and arithmetic (double-precision
// library calls, as in its C code, rounded to float). AlexeyAB's fork adds mish, swish,
// hard_mish, relu6 and gelu, computed with that fork's float formulas (expf, logf, tanhf).
#pragma once
#include <cstddef>
#include <string>

#include "gemm_kernels.h"

namespace dn {

enum class Activation {
    logistic, relu, relie, linear, ramp, tanh, plse, leaky, elu, loggy, stair, hardtan, lhtan,
    selu,
    // AlexeyAB's fork only.
    mish, swish, hard_mish, relu6, gelu,
    // What `leaky` and `logistic` compute in AlexeyAB's fork: x > 0 ? x : .1f * x and
    // 1.f / (1.f + expf(-x)), in float. The parser reads those names as these in its dialect;
    // activation_name gives the cfg name.
    leaky_float, logistic_float
};

// Parses an upstream activation name; returns false when unknown.
bool parse_activation(const std::string& name, Activation* out);
const char* activation_name(Activation a);
// Valid names, comma-separated, for error messages.
std::string activation_names();
float activate(float x, Activation a);
// In place, with the loops built for the ISA of the default GEMM kernel (DARKNET_ISA), or
// for `isa` (one of gemm_kernels_available()); the same bits for every ISA.
void activate_array(float* x, std::size_t n, Activation a);
void activate_array(float* x, std::size_t n, Activation a, Isa isa);
// Upstream's leaky on n values in place, after adding *bias to each when bias is not null,
// with the loop for `isa`: in float arithmetic where the ISA has FMA (leaky.h), the bits of
// upstream's double product everywhere.
void leaky_array(float* x, std::size_t n, const float* bias, Isa isa);

}  // namespace dn
