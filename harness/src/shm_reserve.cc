#include "shm_reserve.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace concbench::internal {
namespace {

constexpr const char* kShmDir = "/dev/shm";

std::string Size(unsigned long long bytes) {
  if (bytes >= (1ull << 20))
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= (1ull << 10))
    return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / (1 << 10));
  return fmt::format("{} B", bytes);
}

// Free and total bytes of /dev/shm; empty when unknown.
std::optional<std::pair<unsigned long long, unsigned long long>> Space() {
  struct statvfs space {};
  if (statvfs(kShmDir, &space) != 0) return std::nullopt;
  return std::pair{
      static_cast<unsigned long long>(space.f_bavail) * space.f_frsize,
      static_cast<unsigned long long>(space.f_blocks) * space.f_frsize};
}

// "<free> free of <total>", or that it is unknown.
std::string SpaceFree() {
  const auto space = Space();
  if (!space) return "an unknown amount free";
  return fmt::format("{} free of {}", Size(space->first), Size(space->second));
}

std::runtime_error CannotAllocate(const std::string& name, std::size_t bytes,
                                  const char* why) {
  return std::runtime_error(fmt::format(
      "cannot allocate {} of shared memory for {}/{}: {}; {} has {}",
      Size(bytes), kShmDir, name.starts_with('/') ? name.substr(1) : name, why,
      kShmDir, SpaceFree()));
}

// shm_open(name, O_RDWR), closed on scope exit.
class OpenObject {
 public:
  explicit OpenObject(const std::string& name)
      : fd_(shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0)) {
    if (fd_ < 0) {
      throw std::system_error(errno, std::generic_category(),
                              "shm_open " + name);
    }
  }
  ~OpenObject() { close(fd_); }
  OpenObject(const OpenObject&) = delete;
  OpenObject& operator=(const OpenObject&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void ReserveShared(int fd, const std::string& name, std::size_t offset,
                   std::size_t bytes) {
  if (bytes == 0) return;
  const int error = posix_fallocate(fd, static_cast<off_t>(offset),
                                    static_cast<off_t>(bytes));
  if (error != 0) throw CannotAllocate(name, bytes, std::strerror(error));
}

void ReserveShared(const std::string& name, std::size_t offset,
                   std::size_t bytes) {
  const OpenObject object(name);
  ReserveShared(object.fd(), name, offset, bytes);
}

void ReserveWhole(const std::string& name) {
  const OpenObject object(name);
  struct stat status {};
  if (fstat(object.fd(), &status) != 0)
    throw std::system_error(errno, std::generic_category(), "fstat " + name);
  ReserveShared(object.fd(), name, 0, static_cast<std::size_t>(status.st_size));
}

void RequireFree(const std::string& name, std::size_t bytes) {
  const auto space = Space();
  if (space && space->first < bytes)
    throw CannotAllocate(name, bytes, "not enough space");
}

}  // namespace concbench::internal
