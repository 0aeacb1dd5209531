// Crops and flips as upstream Darknet's image.c does them, for the validation commands.
#pragma once
#include "image.h"

namespace dn {

// Upstream's crop_image: a w x h window at (dx, dy); pixels outside the image repeat the
// nearest edge pixel.
Image crop_image(const Image& im, int dx, int dy, int w, int h);
// Upstream's center_crop_image: the centred square of side min(w, h), resized to w x h.
Image center_crop_image(const Image& im, int w, int h);
// Upstream's flip_image: mirrors every row in place.
void flip_image(Image& im);

}  // namespace dn
