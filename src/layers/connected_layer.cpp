#include "layers/connected_layer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "layers/convolutional_layer.h"

namespace dn {

ConnectedLayer::ConnectedLayer(int batch_, Shape input, int outputs_, Activation act,
                               bool batch_normalize)
    : activation_(act), batch_normalize_(batch_normalize) {
    batch = batch_;
    in = input;
    out = {outputs_, 1, 1};
    weights_.assign(in.size() * outputs_, 0.f);
    biases_.assign(outputs_, 0.f);
    if (batch_normalize_) {
        scales_.assign(outputs_, 1.f);
        rolling_mean_.assign(outputs_, 0.f);
        rolling_variance_.assign(outputs_, 1.f);
    }
}

std::string ConnectedLayer::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "connected                            %4zu  ->  %4d", in.size(),
                  out.c);
    return buf;
}

std::vector<ParamRef> ConnectedLayer::params() {
    const int fan_in = static_cast<int>(in.size());
    std::vector<ParamRef> v;
    v.push_back({ParamRef::bias, &biases_, fan_in});
    ParamRef w{ParamRef::weight, &weights_, fan_in};
    w.rows = out.c;
    w.cols = fan_in;
    v.push_back(w);
    if (batch_normalize_) {
        v.push_back({ParamRef::bn_scale, &scales_, fan_in});
        v.push_back({ParamRef::bn_mean, &rolling_mean_, fan_in});
        v.push_back({ParamRef::bn_var, &rolling_variance_, fan_in});
    }
    return v;
}

void ConnectedLayer::weights_ready() {
    if (!batch_normalize_) return;
    bn_denominator_.resize(out.c);
    for (int f = 0; f < out.c; ++f)
        bn_denominator_[f] = alexeyab_bn_ ? std::sqrt(double(rolling_variance_[f] + .00001f))
                                          : std::sqrt(double(rolling_variance_[f])) + double(.000001f);
}

namespace {

// One output's dot product as upstream's build computes it: pjreddie's Makefile builds with
// -Ofast, so GCC vectorises gemm_nt's `sum += a*b` loop for SSE: four partial sums over
// k = 0, 1, 2, 3 mod 4, each product rounded and added in order, reduced as
// (s0 + s2) + (s1 + s3), the last n % 4 products then added in order, and the total added
// to the zeroed output. The recorded `rnn generate` fixtures tell this apart from
// (s0 + s1) + (s2 + s3) and from one running sum (each fails a case). Every CPU and thread
// count gives these bits. An sgemm's sums follow its kernel instead: OpenBLAS's Sandybridge
// and Nehalem kernels gave other last bits than its Zen and Haswell ones, and sampled text
// then parted from upstream's.
void dot_rows_in_order(int n_in, const float* x, const float* w, float* y, int j0, int j1) {
    const int k4 = n_in / 4 * 4;
    int j = j0;
    // Two rows at a time: two independent chains of additions per lane.
    for (; j + 2 <= j1; j += 2) {
        const float *r = w + std::size_t(j) * n_in, *q = r + n_in;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (int k = 0; k < k4; k += 4) {
            a0 += x[k] * r[k], a1 += x[k + 1] * r[k + 1], a2 += x[k + 2] * r[k + 2], a3 += x[k + 3] * r[k + 3];
            b0 += x[k] * q[k], b1 += x[k + 1] * q[k + 1], b2 += x[k + 2] * q[k + 2], b3 += x[k + 3] * q[k + 3];
        }
        float sa = (a0 + a2) + (a1 + a3), sb = (b0 + b2) + (b1 + b3);
        for (int k = k4; k < n_in; ++k) sa += x[k] * r[k], sb += x[k] * q[k];
        y[j] = 0.f + sa, y[j + 1] = 0.f + sb;
    }
    for (; j < j1; ++j) {
        const float* r = w + std::size_t(j) * n_in;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int k = 0; k < k4; k += 4)
            a0 += x[k] * r[k], a1 += x[k + 1] * r[k + 1], a2 += x[k + 2] * r[k + 2], a3 += x[k + 3] * r[k + 3];
        float s = (a0 + a2) + (a1 + a3);
        for (int k = k4; k < n_in; ++k) s += x[k] * r[k];
        y[j] = 0.f + s;
    }
}

}  // namespace

void ConnectedLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    const int n_in = static_cast<int>(in.size()), n_out = out.c;
    float* y = mutable_output();
    // Blocks of 64 outputs dealt out to threads: every output is one chain whatever the
    // thread count.
    const int blocks = (n_out + 63) / 64;
    for (int b = 0; b < batch; ++b) {
        const float* x = input + std::size_t(b) * n_in;
        float* yb = y + std::size_t(b) * n_out;
#pragma omp parallel for schedule(static) num_threads(ctx.threads) if (blocks > 1)
        for (int i = 0; i < blocks; ++i)
            dot_rows_in_order(n_in, x, weights_.data(), yb, i * 64, std::min(n_out, (i + 1) * 64));
    }
    if (batch_normalize_)
        batchnorm_inference(y, batch, n_out, 1, rolling_mean_.data(), bn_denominator_.data(),
                            scales_.data(), biases_.data());
    else
        add_bias(y, batch, n_out, 1, biases_.data());
    activate_array(y, std::size_t(batch) * outputs(), activation_);
}

}  // namespace dn
