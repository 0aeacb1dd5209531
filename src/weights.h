// Upstream Darknet's .weights format: int32 major, minor, revision; `seen` as uint64 when
// major*10+minor >= 2 (and both < 1000), else uint32; then each layer's arrays in cfg
// order (conv: biases, [scales, rolling mean, rolling variance], weights; connected:
// biases, weights, [bn]). Files with major or minor > 1000 store connected weights
// transposed. All little-endian float32.
#pragma once
#include <cstdint>
#include <string>

namespace dn {

class Network;

struct WeightsHeader {
    int32_t major = 0, minor = 2, revision = 0;
    uint64_t seen = 0;
};

// Bytes a weights file for `net` must have (header included).
std::size_t expected_weights_bytes(Network& net);
// Loads PATH into net and calls Network::finalize. Throws dn::Error naming the file when it
// is missing, truncated, too long or made for another cfg (expected vs actual byte counts).
WeightsHeader load_weights(Network& net, const std::string& path);
// Writes net's parameters in upstream's format (major 0, minor 2, 64-bit seen), through a
// temporary file renamed into place, so a failure leaves nothing half-written.
void save_weights(Network& net, const std::string& path);
// Fills every parameter with seeded random values: He-scaled normal weights, small biases,
// BN scales near 1, small means, positive variances. Same seed, same values, any machine.
void init_weights(Network& net, uint64_t seed);

}  // namespace dn
