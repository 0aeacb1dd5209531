// Image I/O and geometry with upstream Darknet's arithmetic (pjreddie image.c, 2018).
// JPEGs decode through libjpeg-turbo as upstream's OpenCV build decodes them (jpeg.cpp); other
// formats and all encoding go through stb (implementation compiled into libstb.so).
// resize/letterbox must match upstream bit for bit, so every float operation below
// follows upstream's order and types: float maths, truncating float->int casts.
#include "image.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <stb_image.h>
#include <stb_image_write.h>

#include "error.h"
#include "jpeg.h"

#include "fp_exact.h"  // last: no FMA contraction below, as upstream rounds

namespace dn {

namespace {

std::string errno_text(int err) { return err ? std::strerror(err) : "unknown error"; }

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Whole file in memory: stb then parses the header and the pixels from the same bytes.
std::vector<unsigned char> read_image_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw Error(path + ": cannot open: " + errno_text(errno));
    if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, not an image file");

    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) throw Error(path + ": cannot open: " + errno_text(errno));
    std::vector<unsigned char> bytes;
    unsigned char buf[1 << 16];
    for (;;) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
        bytes.insert(bytes.end(), buf, buf + n);
        // stb takes the length as an int.
        if (bytes.size() > std::size_t(0x7fffffff))
            throw Error(path + ": file too large (over 2 GiB)");
        if (n < sizeof buf) break;
    }
    if (std::ferror(f.get())) throw Error(path + ": read error: " + errno_text(errno));
    if (bytes.empty()) throw Error(path + ": empty file");
    return bytes;
}

// stb leaves the reason null until its first failure.
std::string stb_reason() {
    const char* r = stbi_failure_reason();
    return r ? r : "unknown reason";
}

struct StbFree {
    void operator()(unsigned char* p) const { stbi_image_free(p); }
};

// Why stbi_info refused the header. stbi_info tries every format in turn, so its own
// reason is the last format's ("unknown image type"). For a PNG signature, a load stops
// at the PNG decoder and fails in the same IHDR checks as stbi_info, before allocating
// pixels, which gives the real reason ("too large", "bad IHDR len", ...).
std::string header_failure(const std::vector<unsigned char>& bytes) {
    static const unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    std::string reason = stb_reason();
    if (bytes.size() >= 8 && std::equal(kPng, kPng + 8, bytes.begin())) {
        int w = 0, h = 0, c = 0;
        std::unique_ptr<unsigned char, StbFree> probe(
            stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &c, 0));
        if (!probe) reason = stb_reason();
    }
    return reason;
}

// Upstream converts with `byte / 255.` in double and stores the float; a table keeps
// exactly those 256 values.
struct ByteToFloat {
    float v[256];
    ByteToFloat() {
        for (int b = 0; b < 256; ++b) v[b] = static_cast<float>(b / 255.);
    }
};

bool has_png_extension(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    const std::size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return false;
    std::string ext = path.substr(dot + 1);
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return ext == "png";
}

// Interleaved bytes (c_in per pixel) to planar floats with c_out channels; a missing
// channel 2 or 4 is an opaque alpha, as stb adds it.
Image to_planar(const unsigned char* src, int w, int h, int c_in, int c_out) {
    static const ByteToFloat to_float;
    Image im(w, h, c_out);
    const std::size_t plane = std::size_t(w) * h;
    float* dst = im.data.data();
    // Interleaved HWC; Darknet keeps planar CHW.
    for (std::size_t i = 0; i < plane; ++i)
        for (int k = 0; k < c_in; ++k) dst[k * plane + i] = to_float.v[src[i * c_in + k]];
    for (int k = c_in; k < c_out; ++k) std::fill_n(dst + k * plane, plane, 1.f);
    return im;
}

// cv::imread's flag for each channel count, as upstream's load_image_cv picks it (0 -> as
// stored, 1 -> grey, 3 -> colour); 2 and 4 add an opaque alpha to grey and colour.
Image load_jpeg(const std::string& path, const std::vector<unsigned char>& bytes, int channels) {
    const JpegMode mode = channels == 0                   ? JpegMode::kUnchanged
                          : (channels == 1 || channels == 2) ? JpegMode::kGray
                                                           : JpegMode::kColor;
    const JpegPixels px = decode_jpeg(path, bytes, mode, kMaxImagePixels);
    return to_planar(px.px.data(), px.w, px.h, px.c, channels ? channels : px.c);
}

}  // namespace

Image load_image(const std::string& path, int channels) {
    if (channels < 0 || channels > 4)
        throw Error(path + ": cannot load with " + std::to_string(channels) +
                    " channels (expected 0 for the file's own, or 1..4)");
    const std::vector<unsigned char> bytes = read_image_file(path);
    if (is_jpeg(bytes.data(), bytes.size())) return load_jpeg(path, bytes, channels);
    const int len = static_cast<int>(bytes.size());

    int w = 0, h = 0, file_c = 0;
    if (!stbi_info_from_memory(bytes.data(), len, &w, &h, &file_c))
        throw Error(path + ": not a readable image (stb_image: " + header_failure(bytes) + ")");
    // Refuse absurd headers before stb allocates w*h*c bytes for them.
    if (w <= 0 || h <= 0)
        throw Error(path + ": invalid image size " + std::to_string(w) + "x" + std::to_string(h));
    if (static_cast<long long>(w) * h > kMaxImagePixels)
        throw Error(path + ": image is " + std::to_string(w) + "x" + std::to_string(h) +
                    " pixels, over the limit of " + std::to_string(kMaxImagePixels));

    // stb_image (Debian's 2022-09 snapshot) reads past the end of a short 16-bit PNM
    // (maxval > 255; found by fuzz_image). The stb upstream Darknet bundles refuses those
    // files ("PPM image not 8-bit"), so refusing them here keeps us compatible.
    if (len > 1 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6') &&
        stbi_is_16_bit_from_memory(bytes.data(), len))
        throw Error(path + ": 16-bit PNM images are not supported");

    int dw = 0, dh = 0, dc = 0;
    std::unique_ptr<unsigned char, StbFree> px(
        stbi_load_from_memory(bytes.data(), len, &dw, &dh, &dc, channels));
    if (!px) throw Error(path + ": cannot decode image (stb_image: " + stb_reason() + ")");
    if (dw != w || dh != h)
        throw Error(path + ": decoded size " + std::to_string(dw) + "x" + std::to_string(dh) +
                    " differs from the header's " + std::to_string(w) + "x" + std::to_string(h));
    const int c = channels ? channels : dc;
    return to_planar(px.get(), w, h, c, c);
}

// Two passes as upstream: columns into a w x im.h intermediate, then rows. Each output is
// two separately rounded products and a sum, never one fused expression.
Image resize_image(const Image& im, int w, int h) {
    if (w <= 0 || h <= 0)
        throw Error("resize_image: target size " + std::to_string(w) + "x" + std::to_string(h) +
                    " must be positive");
    if (im.w <= 0 || im.h <= 0 || im.c <= 0)
        throw Error("resize_image: empty source image " + std::to_string(im.w) + "x" +
                    std::to_string(im.h) + "x" + std::to_string(im.c));
    DN_ASSERT(im.data.size() == std::size_t(im.w) * im.h * im.c);

    // Upstream divides by (w - 1) and (h - 1) unconditionally. For w == 1 every column takes
    // the last source column, so the scale is unused. For h == 1 upstream computes 0 * inf
    // (or 0/0) and casts the NaN to int, which is undefined; a zero scale samples row 0.
    const float w_scale = w > 1 ? static_cast<float>(im.w - 1) / static_cast<float>(w - 1) : 0.f;
    const float h_scale = h > 1 ? static_cast<float>(im.h - 1) / static_cast<float>(h - 1) : 0.f;

    // Source column and weight per output column (same for every row and channel).
    std::vector<int> ix(w);
    std::vector<float> fx(w);
    for (int c = 0; c < w; ++c) {
        if (c == w - 1 || im.w == 1) {
            ix[c] = im.w - 1;
            fx[c] = -1.f;  // marker: copy, no interpolation
        } else {
            const float sx = static_cast<float>(c) * w_scale;
            ix[c] = static_cast<int>(sx);
            fx[c] = sx - static_cast<float>(ix[c]);
        }
    }

    Image part(w, im.h, im.c);
    for (int k = 0; k < im.c; ++k) {
        for (int r = 0; r < im.h; ++r) {
            const float* src = im.data.data() + (std::size_t(k) * im.h + r) * im.w;
            float* dst = part.data.data() + (std::size_t(k) * im.h + r) * w;
            for (int c = 0; c < w; ++c) {
                const int x0 = ix[c];
                if (fx[c] < 0.f) {
                    dst[c] = src[x0];
                } else {
                    // min() only matters if rounding ever put ix on the last column, where
                    // upstream would read past the row.
                    const int x1 = std::min(x0 + 1, im.w - 1);
                    const float dx = fx[c];
                    const float a = (1.f - dx) * src[x0];
                    const float b = dx * src[x1];
                    dst[c] = a + b;
                }
            }
        }
    }

    Image out(w, h, im.c);
    for (int k = 0; k < im.c; ++k) {
        const float* pk = part.data.data() + std::size_t(k) * im.h * w;
        for (int r = 0; r < h; ++r) {
            const float sy = static_cast<float>(r) * h_scale;
            const int iy = static_cast<int>(sy);
            const float dy = sy - static_cast<float>(iy);
            const float* row0 = pk + std::size_t(iy) * w;
            float* dst = out.data.data() + (std::size_t(k) * h + r) * w;
            const float wy0 = 1.f - dy;
            for (int c = 0; c < w; ++c) dst[c] = wy0 * row0[c];
            // Upstream skips the second row for the last output row even when rounding left
            // sy just below im.h - 1 (iy = im.h - 2, dy ~ 1): that row then comes out near 0.
            if (r == h - 1 || im.h == 1) continue;
            const float* row1 = pk + std::size_t(std::min(iy + 1, im.h - 1)) * w;
            for (int c = 0; c < w; ++c) {
                const float b = dy * row1[c];
                dst[c] = dst[c] + b;
            }
        }
    }
    return out;
}

void embed_image(const Image& src, Image& dst, int dx, int dy) {
    DN_ASSERT(src.data.size() == std::size_t(src.w) * src.h * src.c);
    DN_ASSERT(dst.data.size() == std::size_t(dst.w) * dst.h * dst.c);
    // Upstream writes pixel by pixel and drops writes outside dst (including channels
    // dst does not have); clipping the ranges once gives the same result.
    const int x0 = std::max(0, -dx), x1 = std::min(src.w, dst.w - dx);
    const int y0 = std::max(0, -dy), y1 = std::min(src.h, dst.h - dy);
    const int nc = std::min(src.c, dst.c);
    if (x0 >= x1 || y0 >= y1) return;
    for (int k = 0; k < nc; ++k)
        for (int y = y0; y < y1; ++y)
            std::copy_n(&src.data[(std::size_t(k) * src.h + y) * src.w + x0], x1 - x0,
                        &dst.data[(std::size_t(k) * dst.h + y + dy) * dst.w + x0 + dx]);
}

Image letterbox_image(const Image& im, int w, int h) {
    if (w <= 0 || h <= 0)
        throw Error("letterbox_image: target size " + std::to_string(w) + "x" +
                    std::to_string(h) + " must be positive");
    if (im.w <= 0 || im.h <= 0 || im.c <= 0)
        throw Error("letterbox_image: empty source image");
    // Upstream compares the two scales as floats and rounds the other side down (int maths;
    // 64-bit here, where upstream's int product would overflow).
    long long new_w = im.w, new_h = im.h;
    if (static_cast<float>(w) / im.w < static_cast<float>(h) / im.h) {
        new_w = w;
        new_h = static_cast<long long>(im.h) * w / im.w;
    } else {
        new_h = h;
        new_w = static_cast<long long>(im.w) * h / im.h;
    }
    Image boxed(w, h, im.c, 0.5f);
    // A very thin image can round to 0 rows or columns: upstream then embeds nothing.
    if (new_w <= 0 || new_h <= 0) return boxed;
    const Image resized = resize_image(im, static_cast<int>(new_w), static_cast<int>(new_h));
    embed_image(resized, boxed, static_cast<int>((w - new_w) / 2),
                static_cast<int>((h - new_h) / 2));
    return boxed;
}

void save_image(const Image& im, const std::string& path) {
    if (im.w <= 0 || im.h <= 0 || im.c < 1 || im.c > 4)
        throw Error(path + ": cannot save a " + std::to_string(im.w) + "x" + std::to_string(im.h) +
                    "x" + std::to_string(im.c) + " image (need 1..4 channels and a positive size)");
    DN_ASSERT(im.data.size() == std::size_t(im.w) * im.h * im.c);
    const std::size_t plane = std::size_t(im.w) * im.h;
    std::vector<unsigned char> px(plane * im.c);
    for (int k = 0; k < im.c; ++k) {
        const float* src = im.data.data() + k * plane;
        for (std::size_t i = 0; i < plane; ++i) {
            // Upstream truncates 255*v (float) to a byte. It does not clamp, so values outside
            // [0,1] wrap there; here they saturate, and NaN becomes 0.
            const float v = src[i] > 0.f ? (src[i] < 1.f ? src[i] : 1.f) : 0.f;
            px[i * im.c + k] = static_cast<unsigned char>(255.f * v);
        }
    }
    errno = 0;
    const int ok = has_png_extension(path)
                       ? stbi_write_png(path.c_str(), im.w, im.h, im.c, px.data(), im.w * im.c)
                       : stbi_write_jpg(path.c_str(), im.w, im.h, im.c, px.data(), 80);
    if (!ok) throw Error(path + ": cannot write image: " + errno_text(errno));
}

}  // namespace dn
