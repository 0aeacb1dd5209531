// Images as upstream Darknet holds them: float planar CHW, values in [0,1], RGB order.
// JPEGs decode with libjpeg-turbo as upstream's OpenCV build decodes them (jpeg.h), other
// formats with stb_image; resize and letterbox reproduce upstream's arithmetic exactly.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace dn {

struct Image {
    int w = 0, h = 0, c = 0;
    std::vector<float> data;  // [c][h][w]

    Image() = default;
    Image(int w_, int h_, int c_, float fill = 0.f)
        : w(w_), h(h_), c(c_), data(std::size_t(w_) * h_ * c_, fill) {}
    float& at(int x, int y, int k) { return data[(std::size_t(k) * h + y) * w + x]; }
    float at(int x, int y, int k) const { return data[(std::size_t(k) * h + y) * w + x]; }
};

// Largest image load_image accepts (width*height), checked from the header before decoding.
constexpr long long kMaxImagePixels = 1LL << 28;

// Decodes a JPEG/PNG/BMP/TGA/... file into `channels` channels (3 = RGB: grey is
// replicated, alpha dropped, as upstream; 0 = the file's own). A JPEG decodes as cv::imread
// does with upstream's flag (EXIF orientation applied unless channels is 0; a truncated file
// is an error). Throws dn::Error "PATH: reason" on any failure.
Image load_image(const std::string& path, int channels = 3);
// Upstream's two-pass bilinear resize (resize_image in image.c).
Image resize_image(const Image& im, int w, int h);
// Copies src into dst with its top-left corner at (dx, dy), clipped to dst.
void embed_image(const Image& src, Image& dst, int dx, int dy);
// Upstream's letterbox_image: aspect-preserving resize into w x h, centred, 0.5 fill.
Image letterbox_image(const Image& im, int w, int h);
// Writes an 8-bit PNG if the name ends in .png (any case), else a quality-80 JPEG, to exactly
// `path`. Values are clamped to [0,1], then 255*v truncated. Throws dn::Error on failure.
void save_image(const Image& im, const std::string& path);

}  // namespace dn
