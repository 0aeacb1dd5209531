#include "image_crop.h"

#include <algorithm>
#include <utility>

namespace dn {

Image crop_image(const Image& im, int dx, int dy, int w, int h) {
    Image out(w, h, im.c);
    for (int k = 0; k < im.c; ++k)
        for (int j = 0; j < h; ++j) {
            const int r = std::clamp(j + dy, 0, im.h - 1);
            for (int i = 0; i < w; ++i) out.at(i, j, k) = im.at(std::clamp(i + dx, 0, im.w - 1), r, k);
        }
    return out;
}

Image center_crop_image(const Image& im, int w, int h) {
    const int m = std::min(im.w, im.h);
    return resize_image(crop_image(im, (im.w - m) / 2, (im.h - m) / 2, m, m), w, h);
}

void flip_image(Image& im) {
    for (int k = 0; k < im.c; ++k)
        for (int y = 0; y < im.h; ++y)
            for (int x = 0; x < im.w / 2; ++x) std::swap(im.at(x, y, k), im.at(im.w - 1 - x, y, k));
}

}  // namespace dn
