#include "concbench/floors.h"

#include <algorithm>

namespace concbench::floors {

Name ForkExitWait() { return Name("limits", "fork_exit_wait"); }
Name PosixSpawnWait() { return Name("limits", "posix_spawn_wait"); }
Name ThreadCreateJoin() { return Name("limits", "thread_create_join"); }
Name FutexPingPong(std::string_view pin) {
  return Name("limits", "futex/pingpong").Param("pin", pin);
}
Name SpinPingPong(std::string_view pin) {
  return Name("limits", "spin/pingpong").Param("pin", pin);
}
Name PipePingPong(std::string_view pin) {
  return Name("limits", "pipe/pingpong").Param("pin", pin);
}
Name Memcpy(std::int64_t size) {
  return Name("limits", "memcpy").Param("size", size);
}

std::vector<std::string_view> FutexPins() { return {"same", "split"}; }
std::vector<std::string_view> SpinPins() { return {"split"}; }
std::vector<std::string_view> PipePins() { return {"same", "split", "none"}; }
std::vector<std::int64_t> MemcpySizes() { return {8, 32768, 1048576}; }

namespace {
bool Has(const std::vector<std::string_view>& pins, std::string_view pin) {
  return std::find(pins.begin(), pins.end(), pin) != pins.end();
}
}  // namespace

std::string ChannelPingPong(std::string_view channel, std::string_view pin) {
  // Which floor bounds which channel; a ChannelInfo trait once channels
  // have a traits table.
  if ((channel == "pipe" || channel == "socketpair") && Has(PipePins(), pin))
    return PipePingPong(pin).str();
  if (channel == "shm_ring" && Has(SpinPins(), pin))
    return SpinPingPong(pin).str();
  return "";
}

std::string ChannelThroughput(std::int64_t size) {
  const std::vector<std::int64_t> sizes = MemcpySizes();
  if (std::find(sizes.begin(), sizes.end(), size) == sizes.end()) return "";
  return Memcpy(size).str();
}

}  // namespace concbench::floors
