// The one way we call sgemm (the GEMM backends): C[m x n] = A[m x k] * B, with
// B given as [k x n] (NoTrans) or as its transpose [n x k] (Trans). C is cut into tiles whose
// sizes depend on m, n and k only, never on the thread count; each tile is one
// single-threaded sgemm call, and the tiles are dealt out to OpenMP threads (OpenBLAS's
// OpenMP build runs serially inside a parallel region; threads are never nested).
// Why fixed tiles: OpenBLAS's result for an output depends on where it falls inside one call
// (its edge kernels, for the last columns or rows, sum differently from its main kernel, e.g.
// the Zen and Haswell kernels in 0.3.21), so a split that followed the thread count changed
// the last bits with it. With fixed tiles every output is computed by the same call with the
// same operands at every thread count, whatever BLAS kernel the CPU gets.
#pragma once
#include <cblas.h>

#include <cstddef>

namespace dn {

struct GemmTiles {
    int rows, cols;  // tile size; the last tile of a row or column may be smaller
};

namespace gemm_detail {
inline int ceil_div(int a, int b) { return (a + b - 1) / b; }
// `len` cut into near-equal parts of at most `most`, each a multiple of `unit` but the last.
inline int even_part(int len, int most, int unit) {
    const int parts = ceil_div(len, most);
    const int part = ceil_div(ceil_div(len, parts), unit) * unit;
    return part < len ? part : len;
}
}  // namespace gemm_detail

// At most 512 columns by 256 rows (A and B stay in cache); then the longer side is halved
// (split columns re-pack A, split rows re-pack B) until there are 8 tiles, a tile holds
// fewer than 2^16 multiply-adds, or it is down to 16 rows by 64 columns. Eight tiles keep
// up to 8 threads busy on small planes; one thread pays a few more calls there.
inline GemmTiles gemm_tiles(int m, int n, int k) {
    using namespace gemm_detail;
    int cols = even_part(n, 512, 16), rows = even_part(m, 256, 16);
    for (;;) {
        const long long tiles = (long long)ceil_div(m, rows) * ceil_div(n, cols);
        if (tiles >= 8 || (long long)rows * cols * k < (1 << 16)) break;
        const bool can_cols = cols > 64, can_rows = rows > 16;
        if (can_cols && (cols >= rows || !can_rows))
            cols = even_part(n, ceil_div(cols, 2), 16);
        else if (can_rows)
            rows = even_part(m, ceil_div(rows, 2), 16);
        else
            break;
    }
    return {rows, cols};
}

inline void gemm_by_columns(int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                            bool b_transposed, float* c, int ldc, int threads) {
    // With one thread there is no parallel region, so BLAS would use its own thread count.
    // OpenBLAS's pthreads build (Debian's only one for arm64 and others, and the default
    // libopenblas0 where the OpenMP one is not installed) threads every call itself, even
    // inside our parallel region, splitting the tile by its own thread count: there each
    // tile call must be told to use one thread as well (reproduced: [connected] at 2 and 3
    // threads gave other bits than at 1 on arm64 and on x86 with that build).
    if ((threads == 1 || openblas_get_parallel() == 1) && openblas_get_num_threads() != 1)
        openblas_set_num_threads(1);
    const GemmTiles t = gemm_tiles(m, n, k);
    const int col_tiles = gemm_detail::ceil_div(n, t.cols);
    const int tiles = gemm_detail::ceil_div(m, t.rows) * col_tiles;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < tiles; ++i) {
        const int row = i / col_tiles * t.rows, col = i % col_tiles * t.cols;
        const int rows = m - row < t.rows ? m - row : t.rows, cols = n - col < t.cols ? n - col : t.cols;
        const float* bb = b_transposed ? b + std::size_t(col) * ldb : b + col;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, b_transposed ? CblasTrans : CblasNoTrans, rows, cols, k, 1.0f,
                    a + std::size_t(row) * lda, lda, bb, ldb, 0.0f, c + std::size_t(row) * ldc + col, ldc);
    }
}

}  // namespace dn
