// Image loading, resize, letterbox and save. The fixture cases compare against upstream
// Darknet's own outputs (tests/fixtures/image/, recorded from libdarknet.so by
// scripts/oracle/record-image-fixtures.sh) and must match bit for bit.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <stb_image_write.h>

#include "error.h"
#include "image.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const std::string kFixtureDir = "tests/fixtures/image/";

std::uint32_t float_bits(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

std::uint64_t fnv1a64(const std::vector<float>& data) {
    std::uint64_t h = 1469598103934665603ULL;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    for (std::size_t i = 0; i < data.size() * sizeof(float); ++i) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

// Dumps written by scripts/oracle/image_dump.c: "DNIM", int32 w, h, c, then CHW floats.
dn::Image read_dump(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw dn::Error(path + ": cannot open fixture");
    char magic[4];
    std::int32_t dims[3];
    f.read(magic, 4);
    f.read(reinterpret_cast<char*>(dims), sizeof dims);
    if (!f || std::memcmp(magic, "DNIM", 4) != 0) throw dn::Error(path + ": bad fixture header");
    dn::Image im(dims[0], dims[1], dims[2]);
    f.read(reinterpret_cast<char*>(im.data.data()),
           std::streamsize(im.data.size() * sizeof(float)));
    if (!f) throw dn::Error(path + ": truncated fixture");
    return im;
}

std::string dims(const dn::Image& im) {
    return std::to_string(im.w) + "x" + std::to_string(im.h) + "x" + std::to_string(im.c);
}

// Empty when bitwise equal; otherwise the count, the first mismatch and the largest error.
std::string compare_exact(const dn::Image& want, const dn::Image& got) {
    if (want.w != got.w || want.h != got.h || want.c != got.c)
        return "size: want " + dims(want) + ", got " + dims(got);
    std::size_t bad = 0, first = 0;
    double max_err = 0;
    for (std::size_t i = 0; i < want.data.size(); ++i) {
        if (float_bits(want.data[i]) == float_bits(got.data[i])) continue;
        if (bad++ == 0) first = i;
        max_err = std::max(max_err, std::fabs(double(want.data[i]) - got.data[i]));
    }
    if (bad == 0) return "";
    const std::size_t plane = std::size_t(want.w) * want.h;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%zu of %zu values differ; first at (c=%zu, y=%zu, x=%zu): want %.9g, got %.9g; "
                  "max |diff| %.3g",
                  bad, want.data.size(), first / plane, first % plane / want.w, first % want.w,
                  double(want.data[first]), double(got.data[first]), max_err);
    return buf;
}

std::string run_fixture_case(const std::string& line) {
    std::istringstream in(line);
    std::string op, src, expect;
    int w = 0, h = 0;
    if (!(in >> op >> src >> w >> h >> expect)) return "malformed line";
    // load_c0 / load_c1: cv::imread with the flag of upstream's load_image(F, 0, 0, 0 or 1).
    const int channels = op == "load_c0" ? 0 : op == "load_c1" ? 1 : 3;
    const dn::Image im = dn::load_image(src, channels);
    dn::Image got;
    if (op == "load" || op == "stbload" || op == "load_c0" || op == "load_c1")
        got = im;
    else if (op == "resize")
        got = dn::resize_image(im, w, h);
    else if (op == "letterbox")
        got = dn::letterbox_image(im, w, h);
    else
        return "unknown op " + op;

    if (expect.rfind("hash:", 0) == 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "hash:%d:%d:%d:%016llx", got.w, got.h, got.c,
                      static_cast<unsigned long long>(fnv1a64(got.data)));
        return expect == buf ? "" : "want " + expect + ", got " + buf;
    }
    return compare_exact(read_dump(kFixtureDir + expect), got);
}

// A scratch directory, removed with everything in it at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("dn_test_image_" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

std::string read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::uint32_t crc32(const std::string& s) {
    std::uint32_t c = 0xffffffffu;
    for (unsigned char ch : s) {
        c ^= ch;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

std::string be32(std::uint32_t v) {
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// A PNG with a valid IHDR claiming w x h and no pixel data.
std::string png_header(std::uint32_t w, std::uint32_t h, int color_type) {
    const std::string ihdr = "IHDR" + be32(w) + be32(h) + std::string{8, char(color_type), 0, 0, 0};
    return std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + ihdr + be32(crc32(ihdr));
}

std::string load_error(const std::string& path, int channels = 3) {
    try {
        dn::load_image(path, channels);
    } catch (const dn::Error& e) {
        return e.what();
    }
    return "<no error>";
}

dn::Image make(int w, int h, int c, std::vector<float> v) {
    dn::Image im(w, h, c);
    REQUIRE(v.size() == im.data.size());
    im.data = std::move(v);
    return im;
}

}  // namespace

TEST_CASE("image: load, resize and letterbox match upstream Darknet exactly", "[image]") {
    std::ifstream cases(kFixtureDir + "cases.txt");
    if (!cases)
        FAIL("cannot open " << kFixtureDir << "cases.txt: run the tests from the repository root");
    int n = 0;
    std::vector<std::string> skipped;
    for (std::string line; std::getline(cases, line);) {
        if (line.empty() || line[0] == '#') continue;
        ++n;
        // JPEG cases use the Debian package's sample photos, which may not be installed.
        std::string op, src;
        std::istringstream(line) >> op >> src;
        if (src.rfind("/usr/share/darknet/", 0) == 0 && !fs::exists(src)) {
            skipped.push_back(src);
            continue;
        }
        INFO(line);
        std::string mismatch;
        try {
            mismatch = run_fixture_case(line);
        } catch (const dn::Error& e) {
            mismatch = std::string("threw: ") + e.what();
        }
        CHECK(mismatch == "");
    }
    CHECK(n >= 50);
    if (!skipped.empty())
        WARN("skipped " << skipped.size() << " cases: " << skipped[0]
                        << " (package darknet) is not installed");
}

TEST_CASE("resize_image: 2x2 -> 3x3 by hand", "[image]") {
    // Columns: 0, (0+1)/2, last; rows the same way.
    const dn::Image im = make(2, 2, 1, {0, 1, 2, 3});
    const dn::Image out = dn::resize_image(im, 3, 3);
    CHECK(out.data == std::vector<float>{0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3});
}

TEST_CASE("resize_image: interpolation weights as upstream rounds them", "[image]") {
    // 3 -> 4 columns: w_scale = 2/3 in float; column 1 sits at sx = 0.6666667.
    const dn::Image im = make(3, 1, 1, {0.2f, 0.7f, 0.9f});
    const dn::Image out = dn::resize_image(im, 4, 2);
    const float s = 2.f / 3.f;
    const float sx1 = 1.f * s, sx2 = 2.f * s;
    const float dx2 = sx2 - 1.f;
    const float c1 = (1.f - sx1) * 0.2f + sx1 * 0.7f;
    const float c2 = (1.f - dx2) * 0.7f + dx2 * 0.9f;
    const std::vector<float> row{0.2f, c1, c2, 0.9f};
    // One source row: every output row is (1 - 0) * that row.
    std::vector<float> want = row;
    want.insert(want.end(), row.begin(), row.end());
    CHECK(out.data == want);
}

TEST_CASE("resize_image: one-pixel sources and targets", "[image]") {
    const dn::Image im = make(2, 2, 2, {0, 1, 2, 3, 10, 11, 12, 13});
    SECTION("width 1 takes the last column (upstream)") {
        const dn::Image out = dn::resize_image(im, 1, 2);
        CHECK(out.data == std::vector<float>{1, 3, 11, 13});
    }
    SECTION("height 1 takes the first row (upstream casts NaN to int here)") {
        const dn::Image out = dn::resize_image(im, 2, 1);
        CHECK(out.data == std::vector<float>{0, 1, 10, 11});
        for (float v : dn::resize_image(im, 1, 1).data) CHECK(std::isfinite(v));
        CHECK(dn::resize_image(im, 1, 1).data == std::vector<float>{1, 11});
    }
    SECTION("1x1 source fills any size") {
        const dn::Image one = make(1, 1, 1, {0.25f});
        CHECK(dn::resize_image(one, 1, 1).data == std::vector<float>{0.25f});
        CHECK(dn::resize_image(one, 4, 3).data == std::vector<float>(12, 0.25f));
    }
    SECTION("bad targets throw") {
        CHECK_THROWS_AS(dn::resize_image(im, 0, 3), dn::Error);
        CHECK_THROWS_AS(dn::resize_image(im, 3, -1), dn::Error);
        CHECK_THROWS_AS(dn::resize_image(dn::Image(), 3, 3), dn::Error);
    }
}

TEST_CASE("resize_image: upstream's dark last row is reproduced", "[image]") {
    // Upstream computes the last row's position as (h-1) * ((im.h-1)/(h-1)) in float. For
    // 2 -> 42 rows that is 0.99999994, so it weights row 0 by 1 - 0.99999994 and skips
    // row 1: a constant image gets a last row of ~6e-8 instead of 1.
    const dn::Image im = make(1, 2, 1, {1.f, 1.f});
    const dn::Image out = dn::resize_image(im, 1, 42);
    const float sy = 41.f * (1.f / 41.f);
    REQUIRE(sy < 1.f);
    CHECK(out.at(0, 40, 0) == 1.f);
    CHECK(out.at(0, 41, 0) == 1.f - sy);
    CHECK(out.at(0, 41, 0) < 1e-6f);
}

TEST_CASE("embed_image: copies and clips like upstream", "[image]") {
    const dn::Image src = make(2, 2, 2, {1, 2, 3, 4, 5, 6, 7, 8});
    SECTION("inside") {
        dn::Image dst(3, 3, 2, 0.5f);
        dn::embed_image(src, dst, 1, 0);
        CHECK(dst.data == std::vector<float>{.5f, 1, 2, .5f, 3, 4, .5f, .5f, .5f,
                                             .5f, 5, 6, .5f, 7, 8, .5f, .5f, .5f});
    }
    SECTION("clipped at the bottom right and the top left") {
        dn::Image dst(3, 3, 1, 0);
        dn::embed_image(src, dst, 2, 2);
        dn::embed_image(src, dst, -1, -1);
        CHECK(dst.data == std::vector<float>{4, 0, 0, 0, 0, 0, 0, 0, 1});
    }
    SECTION("fully outside changes nothing") {
        dn::Image dst(3, 3, 2, 0.5f);
        dn::embed_image(src, dst, 3, 0);
        dn::embed_image(src, dst, 0, -2);
        CHECK(dst.data == std::vector<float>(18, 0.5f));
    }
}

TEST_CASE("letterbox_image: by hand", "[image]") {
    SECTION("wide image: full width, centred rows, 0.5 bars") {
        // 4/4 < 4/2, so new size 4 x (2*4/4) = 4x2 (no resampling) at (0, 1).
        const dn::Image im = make(4, 2, 1, {1, 2, 3, 4, 5, 6, 7, 8});
        const dn::Image out = dn::letterbox_image(im, 4, 4);
        CHECK(out.data == std::vector<float>{.5f, .5f, .5f, .5f, 1, 2, 3, 4, 5, 6, 7, 8,
                                             .5f, .5f, .5f, .5f});
    }
    SECTION("tall image: odd margins round down on the left") {
        // 5/2 > 3/3, so new size (2*3/3) x 3 = 2x3 at ((5-2)/2, 0) = (1, 0).
        const dn::Image im = make(2, 3, 1, {1, 2, 3, 4, 5, 6});
        const dn::Image out = dn::letterbox_image(im, 5, 3);
        CHECK(out.data == std::vector<float>{.5f, 1, 2, .5f, .5f, .5f, 3, 4, .5f, .5f,
                                             .5f, 5, 6, .5f, .5f});
    }
    SECTION("a side that rounds to 0 leaves only the fill") {
        const dn::Image im(10, 1, 3, 0.f);  // new size 2 x (1*2/10) = 2x0
        CHECK(dn::letterbox_image(im, 2, 2).data == std::vector<float>(12, 0.5f));
    }
}

TEST_CASE("load_image: bytes convert as byte/255. in double, CHW, channels", "[image]") {
    TempDir tmp;
    std::vector<unsigned char> ramp(256);
    for (int b = 0; b < 256; ++b) ramp[b] = static_cast<unsigned char>(b);
    const std::string path = tmp.file("ramp.png");
    REQUIRE(stbi_write_png(path.c_str(), 256, 1, 1, ramp.data(), 256));

    const dn::Image rgb = dn::load_image(path, 3);  // grey replicated to 3 planes
    REQUIRE(dims(rgb) == "256x1x3");
    for (int k = 0; k < 3; ++k)
        for (int b = 0; b < 256; ++b) {
            INFO("byte " << b << " channel " << k);
            CHECK(float_bits(rgb.at(b, 0, k)) == float_bits(static_cast<float>(b / 255.)));
        }
    CHECK(dims(dn::load_image(path, 0)) == "256x1x1");
    const dn::Image rgba = dn::load_image(path, 4);
    CHECK(dims(rgba) == "256x1x4");
    CHECK(rgba.at(17, 0, 3) == 1.f);

    // An RGBA file keeps its alpha plane only when asked for 4 channels (or 0).
    const dn::Image a = dn::load_image(kFixtureDir + "png/rgba_6x5.png", 0);
    CHECK(dims(a) == "6x5x4");
    CHECK(dims(dn::load_image(kFixtureDir + "png/rgba_6x5.png", 1)) == "6x5x1");
}

TEST_CASE("load_image: failures throw dn::Error naming the file", "[image]") {
    TempDir tmp;
    const std::string good = read_bytes(kFixtureDir + "png/rgb_7x5.png");
    REQUIRE(good.size() > 100);

    struct Bad {
        std::string name, bytes, reason;
    };
    const std::vector<Bad> bad = {
        {"empty.png", "", "empty file"},
        {"truncated.png", good.substr(0, 60), "cannot decode"},
        {"notes.txt", "this is not an image\n", "not a readable image"},
        {"huge.png", png_header(100000, 100000, 2), "too large"},
        {"big.png", png_header(20000, 20000, 0), "over the limit of 268435456"},
    };
    for (const Bad& b : bad) {
        const std::string path = tmp.file(b.name);
        write_bytes(path, b.bytes);
        const std::string msg = load_error(path);
        INFO(b.name << ": " << msg);
        CHECK_THAT(msg, Contains(path + ": "));
        CHECK_THAT(msg, Contains(b.reason));
        CHECK(msg.find('\n') == std::string::npos);
    }

    const std::string missing = tmp.file("missing.png");
    CHECK_THAT(load_error(missing), Contains(missing + ": cannot open: No such file or directory"));
    CHECK_THAT(load_error(tmp.path.string()), Contains(tmp.path.string() + ": is a directory"));
    CHECK_THAT(load_error(kFixtureDir + "png/rgb_7x5.png", 5),
               Contains("rgb_7x5.png: cannot load with 5 channels"));
}

TEST_CASE("load_image: a JPEG that is cut short or unreadable is an error", "[image][jpeg]") {
    // libjpeg itself pads a truncated scan with grey and only warns (upstream prints
    // "Premature end of JPEG file" and goes on); missing data is an error here.
    const std::string dir = kFixtureDir + "jpeg/";
    for (const char* name : {"bad_truncated.jpg", "bad_header.jpg"}) {
        for (int channels : {0, 1, 3}) {
            const std::string msg = load_error(dir + name, channels);
            INFO(name << " channels " << channels << ": " << msg);
            CHECK_THAT(msg, Contains(dir + name + ": cannot decode JPEG (libjpeg: Premature end of JPEG file)"));
            CHECK(msg.find('\n') == std::string::npos);
        }
    }
    TempDir tmp;
    const std::string good = read_bytes(dir + "tiny_420.jpg");
    const std::string soi_only = tmp.file("soi.jpg");
    write_bytes(soi_only, good.substr(0, 3));
    CHECK_THAT(load_error(soi_only), Contains(soi_only + ": cannot decode JPEG (libjpeg: "));
    // A frame header claiming 65500 x 65500 pixels is refused before any pixel is decoded.
    std::string huge = good;
    const std::size_t sof = huge.find("\xff\xc0");
    REQUIRE(sof != std::string::npos);
    huge[sof + 5] = huge[sof + 7] = '\xff';
    huge[sof + 6] = huge[sof + 8] = '\xdc';
    const std::string huge_path = tmp.file("huge.jpg");
    write_bytes(huge_path, huge);
    CHECK_THAT(load_error(huge_path), Contains(huge_path + ": image is 65500x65500 pixels, over the limit of"));
}

TEST_CASE("load_image: JPEG channel requests as cv::imread's flags", "[image][jpeg]") {
    const std::string dir = kFixtureDir + "jpeg/";
    // 0 keeps the file's own layout and ignores EXIF; 2 and 4 add an opaque alpha.
    CHECK(dims(dn::load_image(dir + "cup_gray.jpg", 0)) == "300x200x1");
    CHECK(dims(dn::load_image(dir + "face_cmyk.jpg", 0)) == "201x203x3");
    CHECK(dims(dn::load_image(dir + "exif_6.jpg", 0)) == "37x23x3");
    CHECK(dims(dn::load_image(dir + "exif_6.jpg", 3)) == "23x37x3");
    const dn::Image rgba = dn::load_image(dir + "tiny_420.jpg", 4);
    const dn::Image rgb = dn::load_image(dir + "tiny_420.jpg", 3);
    REQUIRE(dims(rgba) == "13x9x4");
    CHECK(std::equal(rgb.data.begin(), rgb.data.end(), rgba.data.begin()));
    CHECK(rgba.at(5, 4, 3) == 1.f);
    const dn::Image ga = dn::load_image(dir + "tiny_420.jpg", 2);
    const dn::Image g = dn::load_image(dir + "tiny_420.jpg", 1);
    REQUIRE(dims(ga) == "13x9x2");
    CHECK(std::equal(g.data.begin(), g.data.end(), ga.data.begin()));
    CHECK(ga.at(12, 8, 1) == 1.f);
}

TEST_CASE("save_image: PNG/JPEG by extension, values as upstream quantizes them", "[image]") {
    TempDir tmp;
    dn::Image im(256, 2, 3);
    for (int x = 0; x < 256; ++x)
        for (int k = 0; k < 3; ++k) {
            im.at(x, 0, k) = static_cast<float>(x / 255.);  // what load_image produces
            im.at(x, 1, k) = (x + k) / 257.f;               // in-between values
        }
    im.at(0, 1, 0) = -0.5f;
    im.at(1, 1, 0) = 1.5f;
    im.at(2, 1, 0) = std::numeric_limits<float>::quiet_NaN();

    SECTION("PNG stores trunc(255 * clamp(v, 0, 1)) per channel") {
        const std::string path = tmp.file("out.PNG");  // extension is case-insensitive
        dn::save_image(im, path);
        CHECK(read_bytes(path).substr(1, 3) == "PNG");
        const dn::Image back = dn::load_image(path, 3);
        REQUIRE(dims(back) == dims(im));
        for (std::size_t i = 0; i < im.data.size(); ++i) {
            const float v = im.data[i];
            const float clamped = v > 0.f ? (v < 1.f ? v : 1.f) : 0.f;
            const auto byte = static_cast<unsigned char>(255.f * clamped);
            INFO("index " << i << " value " << v);
            CHECK(back.data[i] == static_cast<float>(byte / 255.));
        }
        // Upstream's truncation is lossless for values that came from 8-bit pixels.
        for (int x = 0; x < 256; ++x) CHECK(back.at(x, 0, 1) == im.at(x, 0, 1));
    }
    SECTION("anything else is JPEG, written to exactly the given name") {
        for (const std::string name : {"out.jpg", "out"}) {
            const std::string path = tmp.file(name);
            dn::save_image(im, path);
            const std::string bytes = read_bytes(path);
            REQUIRE(bytes.size() > 2);
            CHECK(bytes.substr(0, 2) == "\xff\xd8");
            CHECK(dims(dn::load_image(path, 3)) == dims(im));
        }
        CHECK_FALSE(fs::exists(tmp.file("out.jpg.jpg")));
        CHECK_FALSE(fs::exists(tmp.file("out.jpg")  + ".png"));
    }
    SECTION("failures name the path") {
        const std::string nowhere = tmp.file("no/such/dir/out.png");
        CHECK_THROWS_WITH(dn::save_image(im, nowhere), Contains(nowhere));
        CHECK_THROWS_WITH(dn::save_image(dn::Image(2, 2, 5), tmp.file("five.png")),
                          Contains("five.png") && Contains("1..4 channels"));
    }
}
