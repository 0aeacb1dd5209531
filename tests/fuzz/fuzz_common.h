// Shared by the libFuzzer targets: quiet logging and a per-process temporary file, for the
// loaders that only take a path.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "log.h"

namespace dn_fuzz {

// Writes the input to /tmp/dn_fuzz_PID.EXT and returns the path ("" if it cannot).
inline std::string write_temp(const uint8_t* data, std::size_t size, const char* ext) {
    const std::string path = "/tmp/dn_fuzz_" + std::to_string(getpid()) + "." + ext;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return "";
    const bool ok = std::fwrite(data, 1, size, f) == size;
    return std::fclose(f) == 0 && ok ? path : "";
}

// Unknown-key warnings would flood the fuzzer's output.
inline void quiet() { dn::set_log_level(dn::LogLevel::quiet); }

}  // namespace dn_fuzz
