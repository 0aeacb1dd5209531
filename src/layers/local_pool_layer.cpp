#include "layers/local_pool_layer.h"

#include <cfloat>
#include <cstdio>

namespace dn {

LocalPoolLayer::LocalPoolLayer(int batch_, Shape input, bool average, int size, int stride_x, int stride_y, int padding)
    : average_(average), size_(size), stride_x_(stride_x), stride_y_(stride_y), padding_(padding) {
    batch = batch_;
    in = input;
    out = {input.c, (input.h + padding - size) / stride_y + 1, (input.w + padding - size) / stride_x + 1};
}

std::string LocalPoolLayer::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-5s    %2d x%2d /%2dx%d  %4d x%4d x%4d   ->  %4d x%4d x%4d", average_ ? "avg" : "max",
                  size_, size_, stride_x_, stride_y_, in.w, in.h, in.c, out.w, out.h, out.c);
    return buf;
}

void LocalPoolLayer::forward(const float* input, const Network&, const ForwardContext& ctx) {
    float* y = mutable_output();
    const int offset = -padding_ / 2, planes = batch * in.c;
#pragma omp parallel for schedule(static) num_threads(ctx.threads) if (std::size_t(planes) * out.h * out.w * size_ * size_ >= 65536)
    for (int p = 0; p < planes; ++p) {
        const float* src = input + std::size_t(p) * in.h * in.w;
        float* dst = y + std::size_t(p) * out.h * out.w;
        for (int i = 0; i < out.h; ++i)
            for (int j = 0; j < out.w; ++j) {
                float best = -FLT_MAX, sum = 0;
                int count = 0;
                for (int n = 0; n < size_; ++n)
                    for (int m = 0; m < size_; ++m) {
                        const int yy = offset + i * stride_y_ + n, xx = offset + j * stride_x_ + m;
                        const bool valid = yy >= 0 && yy < in.h && xx >= 0 && xx < in.w;
                        const float v = valid ? src[std::size_t(yy) * in.w + xx] : -FLT_MAX;
                        if (average_) {
                            if (valid) sum += v, ++count;
                        } else {
                            best = v > best ? v : best;
                        }
                    }
                dst[std::size_t(i) * out.w + j] = average_ ? sum / count : best;
            }
    }
}

}  // namespace dn
