#include "concbench/floors.h"

#include <algorithm>

#include "concbench/channel.h"

namespace concbench::floors {

Name ForkExitWait() { return Name("limits", "fork_exit_wait"); }
Name PosixSpawnWait() { return Name("limits", "posix_spawn_wait"); }
Name ThreadCreateJoin() { return Name("limits", "thread_create_join"); }
Name FutexPingPong(Pin pin) {
  return Name("limits", "futex/pingpong").Param("pin", PinName(pin));
}
Name SpinPingPong(Pin pin) {
  return Name("limits", "spin/pingpong").Param("pin", PinName(pin));
}
Name PipePingPong(Pin pin) {
  return Name("limits", "pipe/pingpong").Param("pin", PinName(pin));
}
Name Memcpy(std::int64_t size) {
  return Name("limits", "memcpy").Param("size", size);
}

std::vector<Pin> FutexPins() { return {Pin::kSame, Pin::kSplit}; }
std::vector<Pin> SpinPins() { return {Pin::kSplit}; }
std::vector<Pin> PipePins() { return {Pin::kSame, Pin::kSplit, Pin::kNone}; }
std::vector<std::int64_t> MemcpySizes() { return {8, 32768, 1048576}; }

namespace {
bool Has(const std::vector<Pin>& pins, Pin pin) {
  return std::find(pins.begin(), pins.end(), pin) != pins.end();
}
}  // namespace

std::string ChannelPingPong(const ChannelInfo& channel, Pin pin) {
  switch (channel.pingpong_floor.value) {
    case RoundTrip::kNone:
      return "";
    case RoundTrip::kPipe:
      return Has(PipePins(), pin) ? PipePingPong(pin).str() : "";
    case RoundTrip::kSpin:
      return Has(SpinPins(), pin) ? SpinPingPong(pin).str() : "";
  }
  return "";
}

std::string ChannelThroughput(std::int64_t size) {
  const std::vector<std::int64_t> sizes = MemcpySizes();
  if (std::find(sizes.begin(), sizes.end(), size) == sizes.end()) return "";
  return Memcpy(size).str();
}

}  // namespace concbench::floors
