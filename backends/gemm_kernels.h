// Register-blocked f32 GEMM microkernels, XNNPACK style: each kernel is named by its tile
// and ISA (f32_gemm_12x32_avx512; f32_igemm_* the indirect-B variant) and carries its tile sizes. One call computes a tile
//   C[rows x cols] (+)= A_panel[kc x MR] * B_panel[kc x NR]
// from packed panels: A_panel holds MR consecutive values (one per row of C) for each k,
// B_panel NR consecutive values (one per column of C) for each k, both zero-padded past
// rows/cols. C is row-major with leading dimension ldc. accumulate=false overwrites C.
// Within a call every C element is summed over k in order, so results do not depend on how
// a caller splits the rows or columns across threads.
// The x86 kernels are compiled with target attributes and picked at run time from what the
// CPU reports, beside a portable C++ kernel that every compiler and ISA (NEON) can build.
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

namespace dn {

// The activation a kernel applies in registers after adding the bias.
enum class GemmAct : unsigned char { none, relu, leaky, leaky_float };

// Most column runs one tile can be stored as (GemmTileOut::runs).
constexpr int kGemmMaxRuns = 4;

// What happens to a finished tile on its way to C, besides the plain store of its first
// `cols` columns (a null GemmTileOut means just that). Used on the call that completes the
// sum (the last K block); the accumulate of an earlier block's partial sum comes first.
struct GemmTileOut {
    // One value per row of the tile, added to the sum, then `act` applied, with the layer's
    // arithmetic (dn::bias_activate_row: leaky's 0.1 product in double, rounded to float).
    // Null: neither bias nor activation.
    const float* bias = nullptr;
    GemmAct act = GemmAct::none;
    // 0: columns [0, cols) go to c + r*ldc + j. Otherwise lanes j in [lo[i], hi[i]) of run i
    // go to c + r*ldc + shift[i] + j (runs disjoint and ascending; cols is then ignored): a
    // tile of a flat-walked padded image, which spans row ends, lands in the dense output
    // and its lanes over padding columns are dropped.
    int runs = 0;
    int lo[kGemmMaxRuns] = {}, hi[kGemmMaxRuns] = {};
    std::ptrdiff_t shift[kGemmMaxRuns] = {};
};

using GemmMicrokernel = void (*)(int kc, const float* a, const float* b, float* c, std::size_t ldc,
                                 int rows, int cols, bool accumulate, const GemmTileOut* out);
// The same tile with B row k read at b + off[k] (NR floats, all readable even past cols):
// direct convolution reads B straight from a padded input this way, with no packing.
using IndirectGemmMicrokernel = void (*)(int kc, const float* a, const float* b, const std::ptrdiff_t* off,
                                         float* c, std::size_t ldc, int rows, int cols, bool accumulate,
                                         const GemmTileOut* out);

// The ISAs code is built for: the kernels below, and the compiler-vectorised loops that
// follow a kernel's ISA (isa_clones.h).
enum class Isa : unsigned char { generic, avx2, avx512 };

struct GemmKernel {
    const char* name;  // f32_gemm_<MR>x<NR>_<isa>
    const char* isa;   // avx512, avx2, generic: the value DARKNET_ISA takes
    Isa id;            // the same as an enum
    int mr, nr;        // tile: rows of A per panel, columns of B per panel
    GemmMicrokernel run;
    IndirectGemmMicrokernel run_indirect;
};

// The widest NR of any kernel: callers size B panels for it.
constexpr int kGemmMaxNr = 32;
// The largest MR of any kernel: callers size staging tiles for it.
constexpr int kGemmMaxMr = 12;

// Kernels this CPU can run, best first; always ends with the portable one.
const std::vector<const GemmKernel*>& gemm_kernels_available();

// The kernel used by default: the first available, or the one the environment variable
// DARKNET_ISA names (avx512, avx2, generic; read once). An unknown or unavailable name
// falls back to the best kernel with one warning on stderr.
const GemmKernel& gemm_kernel_default();

// Lookup by ISA name among the available kernels; null when absent.
const GemmKernel* find_gemm_kernel(std::string_view isa);

}  // namespace dn
