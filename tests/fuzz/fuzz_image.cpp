// libFuzzer target: image decoding (libjpeg-turbo for JPEGs, stb_image for the rest, through
// dn::load_image via a temporary file) and upstream's letterbox to a small size, for 1, 3 and
// 4 channels.
// load_image accepts up to kMaxImagePixels (2^28), whose float copy alone exceeds the
// fuzzer's memory budget, so headers claiming more than 2^22 pixels are skipped here.
#include <stb/stb_image.h>

#include <climits>

#include "error.h"
#include "fuzz_common.h"
#include "image.h"

namespace dn_fuzz {

// One input; dn::Error is an expected outcome, anything else escapes.
inline int run_image(const uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    int w = 0, h = 0, c = 0;
    if (stbi_info_from_memory(data, static_cast<int>(size), &w, &h, &c) &&
        static_cast<long long>(w) * h > (1LL << 22))
        return 0;
    const std::string path = dn_fuzz::write_temp(data, size, "img");
    if (path.empty()) return 0;
    for (int channels : {3, 1, 4}) {
        try {
            const dn::Image im = dn::load_image(path, channels);
            dn::letterbox_image(im, 13, 7);
        } catch (const dn::Error&) {
        }
    }
    return 0;
}

}  // namespace dn_fuzz

// tests/test_fuzz_regressions.cpp includes this file to replay stored inputs.
#ifndef DN_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    return dn_fuzz::run_image(data, size);
}
#endif
