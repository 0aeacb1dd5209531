#include "sysinfo.h"

#include <cblas.h>

#include <fstream>

#include "conv_backend.h"

#ifndef DN_BUILD_FLAGS
#define DN_BUILD_FLAGS "unknown flags"
#endif

namespace dn {

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0) continue;
        const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        if (key == "model name" || key == "Model" || key == "Hardware") {
            const auto start = line.find_first_not_of(" \t", colon + 1);
            return start == std::string::npos ? "unknown CPU" : line.substr(start);
        }
    }
    return "unknown CPU";
}

std::string blas_info() {
    const int par = openblas_get_parallel();
    const char* mode = par == 0 ? "sequential" : par == 1 ? "pthreads" : "OpenMP";
    std::string cfg = openblas_get_config();
    while (!cfg.empty() && cfg.back() == ' ') cfg.pop_back();
    return std::string("OpenBLAS (") + cfg + ", " + mode + ", core " + openblas_get_corename() + ")";
}

std::string build_id() {
    return std::string("g++ ") + __VERSION__ + " " + DN_BUILD_FLAGS + "; BLAS core " + openblas_get_corename() +
           "; backends " + conv_backend_names();
}

}  // namespace dn
