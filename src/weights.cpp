#include "weights.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "error.h"
#include "network.h"

namespace dn {

namespace {

std::size_t header_bytes(int32_t major, int32_t minor) {
    // In 64 bits: a corrupt header (found by fuzz_weights) overflowed int here. Upstream's
    // int arithmetic gives the same answer for every major and minor that do not overflow.
    const bool wide = (int64_t(major) * 10 + minor) >= 2 && major < 1000 && minor < 1000;
    return 3 * sizeof(int32_t) + (wide ? sizeof(uint64_t) : sizeof(uint32_t));
}

std::size_t param_floats(Network& net) {
    std::size_t n = 0;
    for (auto& l : net.layers)
        for (const ParamRef& p : l->params()) n += p.data->size();
    return n;
}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// splitmix64: tiny, seedable, and the same stream on every platform.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }  // [0,1)
    double normal() {  // Box-Muller
        const double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
};

}  // namespace

std::size_t expected_weights_bytes(Network& net) {
    return header_bytes(0, 2) + param_floats(net) * sizeof(float);
}

WeightsHeader load_weights(Network& net, const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected a weights file");
    File f(std::fopen(path.c_str(), "rb"));
    if (!f) throw Error(path + ": cannot open: " + std::strerror(errno));
    WeightsHeader h;
    int32_t head[3];
    if (std::fread(head, sizeof(int32_t), 3, f.get()) != 3)
        throw Error(path + ": truncated weights file: " + std::to_string(st.st_size) + " bytes, too short for the header");
    h.major = head[0];
    h.minor = head[1];
    h.revision = head[2];
    const std::size_t hb = header_bytes(h.major, h.minor);
    if (hb == 3 * sizeof(int32_t) + sizeof(uint64_t)) {
        if (std::fread(&h.seen, sizeof(uint64_t), 1, f.get()) != 1)
            throw Error(path + ": truncated weights file: too short for the header");
    } else {
        uint32_t seen32 = 0;
        if (std::fread(&seen32, sizeof(uint32_t), 1, f.get()) != 1)
            throw Error(path + ": truncated weights file: too short for the header");
        h.seen = seen32;
    }
    const std::size_t expected = hb + param_floats(net) * sizeof(float);
    const std::size_t actual = static_cast<std::size_t>(st.st_size);
    if (actual != expected)
        throw Error(path + ": weights do not match " + net.cfg_path + ": expected " + std::to_string(expected) + " bytes, file has " + std::to_string(actual) + (actual < expected ? " (truncated, or made for a larger network)" : " (made for a larger network?)"));
    const bool transpose = h.major > 1000 || h.minor > 1000;
    std::vector<float> tmp;
    for (auto& l : net.layers) {
        for (const ParamRef& p : l->params()) {
            std::vector<float>& v = *p.data;
            if (std::fread(v.data(), sizeof(float), v.size(), f.get()) != v.size())
                throw Error(path + ": read error");
            if (transpose && p.rows > 0) {  // stored [inputs][outputs]
                tmp = v;
                for (int r = 0; r < p.rows; ++r)
                    for (int c = 0; c < p.cols; ++c) v[std::size_t(r) * p.cols + c] = tmp[std::size_t(c) * p.rows + r];
            }
        }
    }
    net.finalize();
    return h;
}

void save_weights(Network& net, const std::string& path) {
    // An existing path that is not a regular file (/dev/null, a FIFO, /dev/stdout) is written
    // in place: renaming a temporary file over it would replace the device node itself.
    struct stat sb;
    const bool in_place = ::stat(path.c_str(), &sb) == 0 && !S_ISREG(sb.st_mode);
    if (in_place && S_ISDIR(sb.st_mode)) throw Error(path + ": cannot write: is a directory");
    const std::string tmp = in_place ? path : path + ".tmp";
    {
        File f(std::fopen(tmp.c_str(), "wb"));
        if (!f) throw Error(path + ": cannot write: " + std::strerror(errno));
        const int32_t head[3] = {0, 2, 0};
        const uint64_t seen = 0;
        bool ok = std::fwrite(head, sizeof head, 1, f.get()) == 1 &&
                  std::fwrite(&seen, sizeof seen, 1, f.get()) == 1;
        for (auto& l : net.layers)
            for (const ParamRef& p : l->params())
                ok = ok && std::fwrite(p.data->data(), sizeof(float), p.data->size(), f.get()) == p.data->size();
        ok = ok && std::fflush(f.get()) == 0;
        if (!ok) {
            const std::string why = std::strerror(errno);
            if (!in_place) std::remove(tmp.c_str());
            throw Error(path + ": write failed: " + why);
        }
    }
    if (in_place) return;
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(tmp.c_str());
        throw Error(path + ": cannot write: " + why);
    }
}

void init_weights(Network& net, uint64_t seed) {
    Rng rng{seed * 0x2545F4914F6CDD1Dull + 1};
    for (auto& l : net.layers) {
        for (const ParamRef& p : l->params()) {
            std::vector<float>& v = *p.data;
            const double he = std::sqrt(2.0 / (p.fan_in > 0 ? p.fan_in : 1));
            for (float& x : v) {
                switch (p.role) {
                    case ParamRef::weight: x = static_cast<float>(he * rng.normal()); break;
                    case ParamRef::bias: x = static_cast<float>(0.1 * rng.normal()); break;
                    case ParamRef::bn_scale: x = static_cast<float>(0.8 + 0.4 * rng.uniform()); break;
                    case ParamRef::bn_mean: x = static_cast<float>(0.1 * rng.normal()); break;
                    case ParamRef::bn_var: x = static_cast<float>(0.5 + rng.uniform()); break;
                }
            }
        }
    }
    net.finalize();
}

}  // namespace dn
