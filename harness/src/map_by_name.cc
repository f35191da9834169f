#include "map_by_name.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace concbench::internal {

std::byte* MapByName(const char* name, std::size_t bytes) {
  const int fd = shm_open(name, O_RDWR, 0);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "shm_open");
  void* mapped =
      mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(), "mmap");
  return static_cast<std::byte*>(mapped);
}

}  // namespace concbench::internal
