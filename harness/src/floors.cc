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
Name Sleep(std::int64_t sleep_us) {
  return Name("limits", "sleep").Param("sleep_us", sleep_us);
}

std::vector<Pin> FutexPins() { return {Pin::kSame, Pin::kSplit}; }
std::vector<Pin> SpinPins() { return {Pin::kSplit}; }
std::vector<Pin> PipePins() { return {Pin::kSame, Pin::kSplit, Pin::kNone}; }
std::vector<std::int64_t> MemcpySizes(
    std::span<const std::size_t> throughput_sizes) {
  std::vector<std::int64_t> sizes = {8, 32768, 1048576};
  for (std::size_t size : throughput_sizes)
    sizes.push_back(static_cast<std::int64_t>(size));
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}
std::vector<std::int64_t> SleepsUs() { return {1000}; }

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

std::string ChannelThroughput(std::int64_t size) { return Memcpy(size).str(); }

std::string TaskSleep(std::int64_t sleep_us) {
  const std::vector<std::int64_t> sleeps = SleepsUs();
  if (std::find(sleeps.begin(), sleeps.end(), sleep_us) == sleeps.end())
    return "";
  return Sleep(sleep_us).str();
}

}  // namespace concbench::floors
