// The cache-line size that the layout of shared data assumes.
#pragma once

#include <cstddef>

namespace concbench {

// Data written by one worker and data another reads go on lines of their own
// (alignas(kCacheLine)), so that neither invalidates the other's line. 64
// bytes on x86-64 and most ARM cores. Not
// std::hardware_destructive_interference_size: GCC warns that its value may
// change between compiler versions, and a layout in shared memory must not.
inline constexpr std::size_t kCacheLine = 64;

}  // namespace concbench
