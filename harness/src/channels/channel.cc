// The table of channel kinds and their traits.
#include "concbench/channel.h"

#include <fmt/format.h>

#include <stdexcept>

namespace concbench {
namespace internal {

std::unique_ptr<Channel> MakePipeChannel();
std::unique_ptr<Channel> MakeSocketPairChannel();
std::unique_ptr<Channel> MakeShmRingChannel();
std::unique_ptr<Channel> MakeMessageQueueChannel();
std::unique_ptr<Channel> MakeQueueChannel();
std::unique_ptr<Channel> MakeTbbQueueChannel();

}  // namespace internal

namespace {

// Adding a channel: its file in this folder, its Make function declared
// above, one entry here (every trait is required), and one line in
// harness/CMakeLists.txt. The ipc benchmarks, the channel tests and
// --list=json derive from this table.
constexpr ChannelInfo kChannels[] = {
    {.name = "pipe",
     .across_processes = true,
     .blocking_waits = true,
     .pingpong_floor = floors::RoundTrip::kPipe,
     .make = &internal::MakePipeChannel},
    {.name = "socketpair",
     .across_processes = true,
     .blocking_waits = true,
     .pingpong_floor = floors::RoundTrip::kPipe,
     .make = &internal::MakeSocketPairChannel},
    {.name = "shm_ring",
     .across_processes = true,
     .blocking_waits = false,
     .pingpong_floor = floors::RoundTrip::kSpin,
     .make = &internal::MakeShmRingChannel},
    {.name = "message_queue",
     .across_processes = true,
     .blocking_waits = false,
     .pingpong_floor = floors::RoundTrip::kNone,
     .make = &internal::MakeMessageQueueChannel},
    {.name = "queue",
     .across_processes = true,
     .blocking_waits = false,
     .pingpong_floor = floors::RoundTrip::kNone,
     .make = &internal::MakeQueueChannel},
    {.name = "tbb_queue",
     .across_processes = false,
     .blocking_waits = false,
     .pingpong_floor = floors::RoundTrip::kNone,
     .make = &internal::MakeTbbQueueChannel},
};

}  // namespace

void ChannelEnd::CheckPeer(std::chrono::steady_clock::time_point since,
                           std::string_view doing) const {
  if (alive_ && !alive_())
    throw ChannelError(fmt::format("{}: the peer is gone", doing));
  if (std::chrono::steady_clock::now() - since > stall_limit_) {
    throw ChannelError(
        fmt::format("{}: no progress for {} ms", doing, stall_limit_.count()));
  }
}

std::span<const ChannelInfo> Channels() { return kChannels; }

const ChannelInfo& FindChannel(std::string_view kind) {
  for (const ChannelInfo& info : kChannels)
    if (info.name == kind) return info;
  throw std::invalid_argument(fmt::format("unknown channel kind '{}'", kind));
}

std::unique_ptr<Channel> MakeChannel(std::string_view kind) {
  return FindChannel(kind).make.value();
}

}  // namespace concbench
