#include "owner_tag.h"

#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <sstream>

namespace concbench::internal {
namespace {

std::string Base36(std::uint64_t value) {
  constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string text;
  do {
    text.push_back(kDigits[value % 36]);
    value /= 36;
  } while (value != 0);
  std::reverse(text.begin(), text.end());
  return text;
}

std::string BootPrefix() {
  std::ifstream file("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(file, id);
  id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
  return id.size() >= 6 ? id.substr(0, 6) : "000000";
}

std::string PidNamespace() {
  struct stat status {};
  if (stat("/proc/self/ns/pid", &status) != 0) return "0";
  return Base36(status.st_ino);
}

}  // namespace

std::optional<std::string> StartTimeOf(pid_t pid) {
  std::ifstream file(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(file, stat)) return std::nullopt;
  // Field 22; the command (field 2) may hold spaces, so count after its ')'.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  if (field.empty()) return std::nullopt;
  return Base36(std::stoull(field));
}

OwnerMark SelfMark() {
  static std::mutex mutex;
  static pid_t cached_pid = 0;
  static OwnerMark cached;
  std::lock_guard lock(mutex);
  if (cached_pid != getpid()) {
    cached_pid = getpid();
    cached = {StartTimeOf(cached_pid).value_or("0"), PidNamespace(),
              BootPrefix()};
  }
  return cached;
}

std::string OwnerTag() {
  static std::mutex mutex;
  static pid_t cached_pid = 0;
  static std::string cached;
  const OwnerMark mark = SelfMark();
  std::lock_guard lock(mutex);
  if (cached_pid != getpid()) {
    cached_pid = getpid();
    std::uint32_t random = 0;
    if (getrandom(&random, sizeof(random), 0) != sizeof(random))
      random = static_cast<std::uint32_t>(getpid()) * 2654435761u;
    cached = fmt::format("{}-{}-{}{:08x}", mark.start, mark.pid_ns, mark.boot,
                         random);
  }
  return cached;
}

}  // namespace concbench::internal
