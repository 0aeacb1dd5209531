// Facts about this machine and this build, for benchmark headers and plan-cache keys.
#pragma once
#include <string>

namespace dn {

// The CPU's model name from /proc/cpuinfo ("unknown CPU" elsewhere).
std::string cpu_model();
// BLAS library, its build options, threading and kernel, e.g.
// "OpenBLAS (OpenBLAS 0.3.21 ... USE_OPENMP, OpenMP, core Haswell)".
std::string blas_info();
// Compiler, flags, BLAS kernel and backend table: what makes timings of one build comparable.
std::string build_id();

}  // namespace dn
