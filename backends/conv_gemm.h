// The one way our GEMM backends call sgemm: C[m x n] = A[m x k] * B, with B given as
// [k x n] (NoTrans) or as its transpose [n x k] (Trans). The n columns are split into
// blocks, one single-threaded sgemm per block across OpenMP threads. OpenBLAS's OpenMP build
// runs serially inside a parallel region, and a column split does not change how any output
// is summed, so the result is the same for every thread count (OpenBLAS's own threading
// does not promise that). Threads are never nested: BLAS never spawns its own here.
#pragma once
#include <cblas.h>

#include <cstddef>

namespace dn {

// Columns per block: a multiple of 16 floats (the widest SIMD tile), about two blocks per
// thread so small planes still keep every thread busy, at most 512 so A stays in cache.
inline int gemm_block_columns(int n, int threads) {
    int cols = (n + 2 * threads - 1) / (2 * threads);
    cols = (cols + 15) / 16 * 16;
    return cols < 32 ? 32 : cols > 512 ? 512 : cols;
}

inline void gemm_by_columns(int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                            bool b_transposed, float* c, int ldc, int threads) {
    // With one thread there is no parallel region, so BLAS would use its own thread count.
    if (threads == 1 && openblas_get_num_threads() != 1) openblas_set_num_threads(1);
    const int block = gemm_block_columns(n, threads);
    const int blocks = (n + block - 1) / block;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int blk = 0; blk < blocks; ++blk) {
        const int col = blk * block, cols = n - col < block ? n - col : block;
        const float* bb = b_transposed ? b + std::size_t(col) * ldb : b + col;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, b_transposed ? CblasTrans : CblasNoTrans, m, cols, k, 1.0f, a,
                    lda, bb, ldb, 0.0f, c + col, ldc);
    }
}

}  // namespace dn
