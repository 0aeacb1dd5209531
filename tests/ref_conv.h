// The reference convolution the backend tests compare against: a textbook 7-loop sum with
// double accumulation, single-threaded, written to be obviously right rather than fast. It
// shares no code with backends/ (only the ConvParams value struct), since MCMK is under test.
#pragma once
#include "conv_backend.h"

namespace dn_test {

// out[n][f][oy][ox] = sum over ci, ky, kx of w[f][ci][ky][kx] * in[n][g*C/G + ci][iy][ix]
// with iy = oy*stride - pad + ky*dilation (likewise ix) and zero outside the input.
// p must have passed finish(); out holds p.output_size() values in NCHW order.
void ref_conv(const dn::ConvParams& p, const float* in, const float* w, double* out);

}  // namespace dn_test
