// Float buffers on 64-byte boundaries: a cache line, and one AVX-512 vector. The kernels read
// and write whole vectors from the starts of their buffers (B panels, C tiles, transform
// rows); from malloc's 16-byte alignment every such access splits two cache lines. Measured
// on a Zen 5 core (AVX-512, 1 thread), YOLOv3-tiny's 3x3 512 -> 1024 layer at 13x13 ran
// winograd4 in 8.3-8.6 ms with its workspace 16 bytes past a line and 5.7-6.0 ms on a line,
// and the planner, timing in buffers of whatever alignment malloc gave, ranked backends by it.
#pragma once
#include <cstddef>
#include <new>
#include <vector>

namespace dn {

constexpr std::size_t kBufferAlign = 64;

template <class T>
struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() noexcept = default;
    template <class U>
    AlignedAllocator(const AlignedAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        if (n > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kBufferAlign)));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(kBufferAlign)); }
    template <class U>
    bool operator==(const AlignedAllocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const AlignedAllocator<U>&) const noexcept { return false; }
};

// Activations, workspaces, packed weights and scratch: every buffer a kernel streams.
using FloatBuffer = std::vector<float, AlignedAllocator<float>>;

}  // namespace dn
