// JPEG decode speed: libjpeg-turbo as load_image uses it (dn::decode_jpeg) against stb_image,
// both from the same bytes in memory, to interleaved 8-bit RGB, one thread. Not a test.
//
//   jpeg_bench [-runs N] FILE.jpg...
//
// Per file: the median of N decodes of each, taking turns, in ms, and their ratio.
// Build: make build/bench/jpeg_bench.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <stb_image.h>

#include "error.h"
#include "jpeg.h"

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 21;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "-runs") && i + 1 < argc)
            runs = std::atoi(argv[++i]);
        else
            files.push_back(argv[i]);
    }
    if (files.empty() || runs < 1) {
        std::fprintf(stderr, "usage: %s [-runs N] FILE.jpg...\n", argv[0]);
        return 2;
    }
    std::printf("%-28s %11s %11s %11s %7s\n", "file", "pixels", "libjpeg-ms", "stb-ms", "stb/lj");
    for (const std::string& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                               std::istreambuf_iterator<char>());
        std::vector<double> t_lj, t_stb;
        int w = 0, h = 0;
        bool stb_ok = true;
        try {
            for (int r = 0; r < runs; ++r) {
                auto t0 = std::chrono::steady_clock::now();
                const dn::JpegPixels px = dn::decode_jpeg(f, bytes, dn::JpegMode::kColor, 1LL << 28);
                t_lj.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
                w = px.w;
                h = px.h;
                int sw = 0, sh = 0, sc = 0;
                t0 = std::chrono::steady_clock::now();
                unsigned char* p = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &sw, &sh, &sc, 3);
                t_stb.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
                if (!p) stb_ok = false;
                stbi_image_free(p);
            }
        } catch (const dn::Error& e) {
            std::fprintf(stderr, "jpeg_bench: %s\n", e.what());
            return 1;
        }
        const std::string name = f.substr(f.find_last_of('/') + 1);
        const double a = median(t_lj), b = median(t_stb);
        if (stb_ok)
            std::printf("%-28s %5dx%-5d %11.3f %11.3f %6.2fx\n", name.c_str(), w, h, a, b, b / a);
        else
            std::printf("%-28s %5dx%-5d %11.3f %11s %7s\n", name.c_str(), w, h, a, "fails", "-");
    }
    return 0;
}
