#include "blas_lock.h"

#include <cblas.h>

namespace dn {

std::unique_lock<std::mutex> blas_enter(bool needed, int threads) {
    static std::mutex m;
    if (!needed) return {};
    std::unique_lock<std::mutex> lock(m);
    openblas_set_num_threads(threads);
    return lock;
}

}  // namespace dn
