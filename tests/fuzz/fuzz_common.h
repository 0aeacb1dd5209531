// Shared by the libFuzzer targets: quiet logging and a per-process temporary file, for the
// loaders that only take a path.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "log.h"

namespace dn_fuzz {

// The temporary files this process wrote, removed when it exits normally (libFuzzer's runs
// and the regression replays end with exit(); a crash leaves its input for inspection).
struct TempFiles {
    std::set<std::string> paths;
    ~TempFiles() {
        for (const std::string& p : paths) std::remove(p.c_str());
    }
};
inline TempFiles& temp_files() {
    static TempFiles files;
    return files;
}

// Writes the input to /tmp/dn_fuzz_PID.EXT and returns the path ("" if it cannot).
inline std::string write_temp(const uint8_t* data, std::size_t size, const char* ext) {
    const std::string path = "/tmp/dn_fuzz_" + std::to_string(getpid()) + "." + ext;
    temp_files().paths.insert(path);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return "";
    const bool ok = std::fwrite(data, 1, size, f) == size;
    return std::fclose(f) == 0 && ok ? path : "";
}

// Unknown-key warnings would flood the fuzzer's output.
inline void quiet() { dn::set_log_level(dn::LogLevel::quiet); }

}  // namespace dn_fuzz
