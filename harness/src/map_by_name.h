// A shared-memory object mapped by name in a process that did not inherit
// the mapping (a forkserver child). Internal to the harness.
#pragma once

#include <cstddef>

namespace concbench::internal {

// Maps the first `bytes` of the shared-memory object `name` (as given to
// shm_open) read-write and shared; the caller owns the mapping (munmap, or
// the process ends). Throws std::system_error naming the call that failed.
std::byte* MapByName(const char* name, std::size_t bytes);

}  // namespace concbench::internal
