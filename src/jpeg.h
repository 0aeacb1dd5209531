// JPEG decoding as upstream Darknet's OpenCV build does it: cv::imread (OpenCV 4.6) decodes
// with libjpeg-turbo at its defaults (integer slow DCT, fancy upsampling), asks libjpeg for RGB
// or grayscale, converts Adobe CMYK with OpenCV's own formulas and applies the EXIF Orientation
// tag; upstream then swaps BGR back to RGB. We call the same library with the same settings,
// so the bytes are the same.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace dn {

// True when the bytes start with a JPEG SOI and a marker (FF D8 FF), the signature
// OpenCV uses to pick its JPEG decoder.
bool is_jpeg(const unsigned char* bytes, std::size_t n);

struct JpegPixels {
    int w = 0, h = 0, c = 0;
    std::vector<unsigned char> px;  // interleaved, c bytes per pixel, RGB order when c == 3
};

// What cv::imread's flag asks for. kColor and kGray apply the EXIF orientation, as imread
// does for every flag but IMREAD_UNCHANGED.
enum class JpegMode {
    kColor,      // IMREAD_COLOR: 3 channels (grey replicated, CMYK converted)
    kGray,       // IMREAD_GRAYSCALE: 1 channel (libjpeg's luma; CMYK with OpenCV's weights)
    kUnchanged,  // IMREAD_UNCHANGED: 3 channels if the file has more than one component, else 1
};

// Decodes `bytes` (the whole file). Throws dn::Error "PATH: reason" when libjpeg fails, when
// data is missing (a truncated file, which libjpeg itself would pad with grey and accept),
// or when the image has more than max_pixels pixels (checked before decoding).
JpegPixels decode_jpeg(const std::string& path, const std::vector<unsigned char>& bytes,
                       JpegMode mode, long long max_pixels);

}  // namespace dn
