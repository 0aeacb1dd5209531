#include "ref_conv.h"

namespace dn_test {

void ref_conv(const dn::ConvParams& p, const float* in, const float* w, double* out) {
    const int cpg = p.c / p.groups;
    const int fpg = p.filters / p.groups;
    for (int n = 0; n < p.batch; ++n)
        for (int f = 0; f < p.filters; ++f)
            for (int oy = 0; oy < p.out_h; ++oy)
                for (int ox = 0; ox < p.out_w; ++ox) {
                    double sum = 0.0;
                    for (int ci = 0; ci < cpg; ++ci)
                        for (int ky = 0; ky < p.ksize; ++ky)
                            for (int kx = 0; kx < p.ksize; ++kx) {
                                const int iy = oy * p.stride - p.pad + ky * p.dilation;
                                const int ix = ox * p.stride - p.pad + kx * p.dilation;
                                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                                const int c = f / fpg * cpg + ci;
                                const long in_at = ((long(n) * p.c + c) * p.h + iy) * p.w + ix;
                                const long w_at = ((long(f) * cpg + ci) * p.ksize + ky) * p.ksize + kx;
                                sum += double(w[w_at]) * double(in[in_at]);
                            }
                    out[((long(n) * p.filters + f) * p.out_h + oy) * p.out_w + ox] = sum;
                }
}

}  // namespace dn_test
