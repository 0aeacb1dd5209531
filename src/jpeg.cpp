#include "jpeg.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jerror.h>
#include <jpeglib.h>

#include "error.h"

namespace dn {

bool is_jpeg(const unsigned char* bytes, std::size_t n) {
    return n >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
}

namespace {

// libjpeg's default error_exit prints and calls exit(); ours formats the message and jumps
// back to decode_into's setjmp.
struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

extern "C" void on_error_exit(j_common_ptr ci) {
    auto* e = reinterpret_cast<ErrorManager*>(ci->err);
    (*ci->err->format_message)(ci, e->message);
    std::longjmp(e->jump, 1);
}

// Warnings (level -1) are where libjpeg reports missing data and then invents it: a file
// that ends early ("Premature end of JPEG file") or a scan cut short by a marker. Those are
// errors here. Other warnings (extraneous bytes, odd progression) decode as OpenCV decodes
// them, and trace messages (level >= 0) are dropped: library code prints nothing.
extern "C" void on_emit_message(j_common_ptr ci, int level) {
    if (level >= 0) return;
    const int code = ci->err->msg_code;
    if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) on_error_exit(ci);
    ci->err->num_warnings++;
}

enum class Status { kOk, kFailed, kTooLarge };

struct Header {
    int w = 0, h = 0, components = 0, out_components = 0;
    int orientation = 1;
};

int exif_orientation(const jpeg_decompress_struct& ci);

// Everything that can longjmp runs in this frame, which holds only trivially destructible
// locals: the jump never skips a destructor. `out` is resized between jpeg_start_decompress
// and the first scanline, never while a jump can happen inside a vector operation.
Status decode_into(jpeg_decompress_struct* ci, ErrorManager* err, const unsigned char* data,
                   std::size_t n, JpegMode mode, long long max_pixels, Header* hdr,
                   std::vector<unsigned char>* out) {
    if (setjmp(err->jump)) return Status::kFailed;
    jpeg_mem_src(ci, data, static_cast<unsigned long>(n));
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xFFFF);  // EXIF, as OpenCV's readHeader saves it
    jpeg_read_header(ci, TRUE);
    hdr->components = ci->num_components;
    // OpenCV's readData: RGB (grey replicated by libjpeg) or grayscale, and CMYK whenever the
    // file has four components. Everything else stays at libjpeg's defaults.
    const bool color = mode == JpegMode::kColor ||
                       (mode == JpegMode::kUnchanged && ci->num_components > 1);
    if (ci->num_components == 4) {
        ci->out_color_space = JCS_CMYK;
    } else {
        ci->out_color_space = color ? JCS_RGB : JCS_GRAYSCALE;
    }
    jpeg_calc_output_dimensions(ci);
    hdr->w = static_cast<int>(ci->output_width);
    hdr->h = static_cast<int>(ci->output_height);
    hdr->out_components = ci->out_color_components;
    if (static_cast<long long>(hdr->w) * hdr->h > max_pixels) return Status::kTooLarge;
    hdr->orientation = mode == JpegMode::kUnchanged ? 1 : exif_orientation(*ci);

    jpeg_start_decompress(ci);
    const std::size_t stride = std::size_t(hdr->w) * hdr->out_components;
    out->resize(stride * hdr->h);
    while (ci->output_scanline < ci->output_height) {
        JSAMPROW row = out->data() + stride * ci->output_scanline;
        jpeg_read_scanlines(ci, &row, 1);
    }
    jpeg_finish_decompress(ci);
    return Status::kOk;
}

unsigned read_u16(const unsigned char* p, bool little) {
    return little ? p[0] | (p[1] << 8) : (p[0] << 8) | p[1];
}
unsigned long read_u32(const unsigned char* p, bool little) {
    return little ? p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<unsigned long>(p[3]) << 24)
                  : (static_cast<unsigned long>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

// The Orientation tag (0x0112) of IFD0 in the first APP1 marker, read as OpenCV 4.6's
// ExifReader reads it: the TIFF header 6 bytes into the marker (past "Exif\0\0", whatever
// those bytes are), the value as the entry's first 16 bits. 1 (as stored) when absent or
// unreadable.
int exif_orientation(const jpeg_decompress_struct& ci) {
    jpeg_saved_marker_ptr m = ci.marker_list;
    while (m && m->marker != JPEG_APP0 + 1) m = m->next;
    if (!m || m->data_length <= 6) return 1;
    const unsigned char* t = m->data + 6;
    const std::size_t n = m->data_length - 6;
    if (n < 8) return 1;
    bool little;
    if (t[0] == 'I' && t[1] == 'I')
        little = true;
    else if (t[0] == 'M' && t[1] == 'M')
        little = false;
    else
        return 1;
    const unsigned long ifd = read_u32(t + 4, little);
    if (ifd > n || n - ifd < 2) return 1;
    const unsigned entries = read_u16(t + ifd, little);
    for (unsigned i = 0; i < entries; ++i) {
        const std::size_t e = ifd + 2 + std::size_t(i) * 12;
        if (e + 12 > n) return 1;
        if (read_u16(t + e, little) == 0x0112) return static_cast<int>(read_u16(t + e + 8, little));
    }
    return 1;
}

// OpenCV's icvCvt_CMYK2BGR_8u_C4C3R and icvCvt_CMYK2Gray_8u_C4C1R on Adobe (inverted) CMYK,
// written here in RGB order.
void cmyk_to_rgb(const unsigned char* cmyk, unsigned char* rgb, std::size_t pixels) {
    for (std::size_t i = 0; i < pixels; ++i, cmyk += 4, rgb += 3) {
        const int k = cmyk[3];
        rgb[0] = static_cast<unsigned char>(k - ((255 - cmyk[0]) * k >> 8));
        rgb[1] = static_cast<unsigned char>(k - ((255 - cmyk[1]) * k >> 8));
        rgb[2] = static_cast<unsigned char>(k - ((255 - cmyk[2]) * k >> 8));
    }
}

void cmyk_to_gray(const unsigned char* cmyk, unsigned char* gray, std::size_t pixels) {
    // OpenCV's fixed-point luma weights: round(w * 2^14).
    constexpr int kR = 4899, kG = 9617, kB = 1868, kShift = 14;
    for (std::size_t i = 0; i < pixels; ++i, cmyk += 4) {
        const int k = cmyk[3];
        const int r = k - ((255 - cmyk[0]) * k >> 8);
        const int g = k - ((255 - cmyk[1]) * k >> 8);
        const int b = k - ((255 - cmyk[2]) * k >> 8);
        gray[i] = static_cast<unsigned char>((b * kB + g * kG + r * kR + (1 << (kShift - 1))) >> kShift);
    }
}

// OpenCV's ApplyExifOrientation: 2 flips left-right, 3 turns 180 degrees, 4 flips top-bottom,
// 5 transposes, 6 transposes and flips left-right (90 degrees clockwise), 7 transposes and
// turns 180, 8 transposes and flips top-bottom. Other values leave the image as stored.
void apply_orientation(JpegPixels& im, int orientation) {
    if (orientation < 2 || orientation > 8) return;
    const int w = im.w, h = im.h, c = im.c;
    const bool transposed = orientation >= 5;
    const int ow = transposed ? h : w, oh = transposed ? w : h;
    std::vector<unsigned char> out(im.px.size());
    for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
            int sx = x, sy = y;
            switch (orientation) {
                case 2: sx = w - 1 - x; break;
                case 3: sx = w - 1 - x; sy = h - 1 - y; break;
                case 4: sy = h - 1 - y; break;
                case 5: sx = y; sy = x; break;
                case 6: sx = y; sy = h - 1 - x; break;
                case 7: sx = w - 1 - y; sy = h - 1 - x; break;
                case 8: sx = w - 1 - y; sy = x; break;
                default: break;
            }
            std::memcpy(&out[(std::size_t(y) * ow + x) * c], &im.px[(std::size_t(sy) * w + sx) * c],
                        std::size_t(c));
        }
    }
    im.px.swap(out);
    im.w = ow;
    im.h = oh;
}

struct Decompressor {
    jpeg_decompress_struct ci {};
    ErrorManager err {};
    Decompressor() {
        ci.err = jpeg_std_error(&err.pub);
        err.pub.error_exit = on_error_exit;
        err.pub.emit_message = on_emit_message;
        jpeg_create_decompress(&ci);  // cannot fail: only allocates from malloc
    }
    ~Decompressor() { jpeg_destroy_decompress(&ci); }
    Decompressor(const Decompressor&) = delete;
    Decompressor& operator=(const Decompressor&) = delete;
};

}  // namespace

JpegPixels decode_jpeg(const std::string& path, const std::vector<unsigned char>& bytes,
                       JpegMode mode, long long max_pixels) {
    Decompressor d;
    Header hdr;
    std::vector<unsigned char> raw;
    switch (decode_into(&d.ci, &d.err, bytes.data(), bytes.size(), mode, max_pixels, &hdr, &raw)) {
        case Status::kFailed:
            throw Error(path + ": cannot decode JPEG (libjpeg: " + d.err.message + ")");
        case Status::kTooLarge:
            throw Error(path + ": image is " + std::to_string(hdr.w) + "x" + std::to_string(hdr.h) +
                        " pixels, over the limit of " + std::to_string(max_pixels));
        case Status::kOk:
            break;
    }
    JpegPixels im;
    im.w = hdr.w;
    im.h = hdr.h;
    const std::size_t pixels = std::size_t(hdr.w) * hdr.h;
    if (hdr.out_components == 4) {
        const bool color = mode == JpegMode::kColor || mode == JpegMode::kUnchanged;
        im.c = color ? 3 : 1;
        im.px.resize(pixels * im.c);
        if (color)
            cmyk_to_rgb(raw.data(), im.px.data(), pixels);
        else
            cmyk_to_gray(raw.data(), im.px.data(), pixels);
    } else {
        im.c = hdr.out_components;
        im.px.swap(raw);
    }
    apply_orientation(im, hdr.orientation);
    return im;
}

}  // namespace dn
