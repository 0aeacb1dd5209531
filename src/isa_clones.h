// Compiler-vectorised loops built for more than one ISA. The engine is compiled for the
// x86-64 baseline (SSE2), so that one binary runs on every x86-64; a hot loop that gains
// from wider vectors is written once, as an inline function, and DN_CLONES wraps it in one
// function per ISA: NAME_generic (the baseline build), NAME_avx2 and NAME_avx512, the last
// two with GCC/Clang target attributes and `flatten`, so that the loop is inlined into them
// and vectorised for that ISA. DN_PICK(NAME, isa) gives the one for an Isa (gemm_kernels.h):
// callers pass the ISA of the GEMM kernel they use (gemm_kernel_default(), which follows
// DARKNET_ISA, or a plan's kernel), so that DARKNET_ISA narrows these loops too.
// The clones give the same bits: the build turns FMA contraction off (-ffp-contract=off in
// the Makefile), the loops do not reassociate, and vector width changes nothing else.
// Only functions per ISA, never a file compiled with -mavx2: inline functions shared with
// other files (std::, templates) would be emitted with AVX2 in that file, and the linker may
// keep that copy for the baseline callers too.
#pragma once
#include "gemm_kernels.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define DN_X86_CLONES 1
#define DN_TARGET_AVX2 __attribute__((target("avx2,fma"), flatten))
#define DN_TARGET_AVX512 __attribute__((target("avx512f,avx2,fma"), flatten))
// PARAMS: the parameter list in parentheses; ARGS: the same names as a call's arguments.
#define DN_CLONES(name, params, args)                                   \
    [[maybe_unused]] void name##_generic params { name args; }          \
    [[maybe_unused]] DN_TARGET_AVX2 void name##_avx2 params { name args; } \
    [[maybe_unused]] DN_TARGET_AVX512 void name##_avx512 params { name args; }
#define DN_PICK(name, isa) ::dn::pick_clone((isa), name##_generic, name##_avx2, name##_avx512)
#else
#define DN_CLONES(name, params, args) [[maybe_unused]] void name##_generic params { name args; }
#define DN_PICK(name, isa) ((void)(isa), name##_generic)
#endif

namespace dn {

template <class F>
F pick_clone(Isa isa, F generic, F avx2, F avx512) {
    return isa == Isa::avx512 ? avx512 : isa == Isa::avx2 ? avx2 : generic;
}

}  // namespace dn
