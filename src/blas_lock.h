// Entering BLAS from a program thread, for layers whose forward calls sgemm.
// OpenBLAS's thread count is process-global (openblas_set_num_threads), and in Debian's
// OpenMP build (the one the Makefile prefers) sgemm also follows the calling thread's OpenMP
// setting, which a new std::thread does not inherit. Two networks run from two threads
// therefore disagreed with their one-after-the-other outputs (tests/test_threads.cpp):
// setting the count on every call fixes that. The lock is a precaution: OpenBLAS documents
// its OpenMP build as unsafe for concurrent calls from several non-OpenMP threads unless
// built with NUM_PARALLEL. Cost: two networks' BLAS layers never overlap in time.
#pragma once
#include <mutex>

namespace dn {

// When `needed`: takes the lock, then sets OpenBLAS (and this thread's OpenMP) to `threads`.
// Otherwise holds nothing and changes nothing.
std::unique_lock<std::mutex> blas_enter(bool needed, int threads);

}  // namespace dn
