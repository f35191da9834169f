// Whole transfers on a descriptor: retried on EINTR and short counts.
#pragma once

#include <cstddef>

namespace concbench::internal {

// Reads exactly `size` bytes. False at end of file or on an error (errno).
bool ReadAll(int fd, void* data, std::size_t size);

// Writes exactly `size` bytes with write(2). False on an error (errno).
bool WriteAll(int fd, const void* data, std::size_t size);

// The same on a socket with send(2) and MSG_NOSIGNAL: a peer that is gone is
// an EPIPE return, never a SIGPIPE.
bool SendAll(int fd, const void* data, std::size_t size);

}  // namespace concbench::internal
