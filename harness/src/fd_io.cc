#include "fd_io.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace concbench::internal {
namespace {

// Calls `transfer(bytes, left)` until `size` bytes have moved.
template <class Byte, class Transfer>
bool TransferAll(Byte* bytes, std::size_t size, Transfer transfer) {
  while (size > 0) {
    const ssize_t n = transfer(bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

bool ReadAll(int fd, void* data, std::size_t size) {
  return TransferAll(
      static_cast<char*>(data), size,
      [fd](char* at, std::size_t left) { return read(fd, at, left); });
}

bool WriteAll(int fd, const void* data, std::size_t size) {
  return TransferAll(
      static_cast<const char*>(data), size,
      [fd](const char* at, std::size_t left) { return write(fd, at, left); });
}

bool SendAll(int fd, const void* data, std::size_t size) {
  return TransferAll(static_cast<const char*>(data), size,
                     [fd](const char* at, std::size_t left) {
                       return send(fd, at, left, MSG_NOSIGNAL);
                     });
}

}  // namespace concbench::internal
