#include "top_k.h"

namespace dn {

std::vector<int> top_k(const float* a, std::size_t n, int k) {
    if (k > static_cast<int>(n)) k = static_cast<int>(n);
    if (k < 0) k = 0;
    std::vector<int> index(k, -1);
    for (std::size_t i = 0; i < n; ++i) {
        int cur = static_cast<int>(i);
        for (int j = 0; j < k; ++j) {
            if (index[j] < 0 || a[cur] > a[index[j]]) {
                const int swap = cur;
                cur = index[j];
                index[j] = swap;
                if (cur < 0) break;
            }
        }
    }
    return index;
}

}  // namespace dn
