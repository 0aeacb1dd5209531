#pragma once
#include <cstddef>
#include <vector>

namespace dn {

// Indices of the k largest values, largest first; ties keep the lower index first
// (upstream's top_k). k is clamped to n.
std::vector<int> top_k(const float* a, std::size_t n, int k);

}  // namespace dn
