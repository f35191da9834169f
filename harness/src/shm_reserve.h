// Shared memory allocated up front: a segment sized with ftruncate alone has
// no pages behind it, and the first touch of a page that a full /dev/shm
// cannot supply kills the process with SIGBUS. Internal to the harness.
#pragma once

#include <cstddef>
#include <string>

namespace concbench::internal {

// Allocates bytes [offset, offset + bytes) of the shared-memory object open
// as `fd` (named `name`, as given to shm_open), so that no touch of them can
// fault. Throws std::runtime_error naming the object, the size asked and
// the space /dev/shm has free.
void ReserveShared(int fd, const std::string& name, std::size_t offset,
                   std::size_t bytes);

// The same for the object `name`, opened by name (for segments whose owner
// does not expose its descriptor).
void ReserveShared(const std::string& name, std::size_t offset,
                   std::size_t bytes);

// The whole of the object `name`, whatever its size.
void ReserveWhole(const std::string& name);

// For objects whose creator touches their memory before ReserveWhole can
// run (Boost's message_queue): throws as ReserveShared does unless /dev/shm
// has `bytes` free now.
void RequireFree(const std::string& name, std::size_t bytes);

}  // namespace concbench::internal
