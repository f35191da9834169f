#include "concbench/channel.h"

#include <fmt/format.h>

namespace concbench {

void ChannelEnd::CheckPeer(std::chrono::steady_clock::time_point since,
                           std::string_view doing) const {
  if (alive_ && !alive_())
    throw ChannelError(fmt::format("{}: the peer is gone", doing));
  if (std::chrono::steady_clock::now() - since > stall_limit_) {
    throw ChannelError(
        fmt::format("{}: no progress for {} ms", doing, stall_limit_.count()));
  }
}

const std::vector<std::string>& ChannelKinds() {
  static const std::vector<std::string> kinds = {
      "pipe", "socketpair", "shm_ring", "message_queue", "queue", "tbb_queue"};
  return kinds;
}

bool WorksAcrossProcesses(std::string_view kind) { return kind != "tbb_queue"; }

std::unique_ptr<Channel> MakeChannel(std::string_view kind) {
  if (kind == "pipe") return internal::MakePipeChannel();
  if (kind == "socketpair") return internal::MakeSocketPairChannel();
  if (kind == "shm_ring") return internal::MakeShmRingChannel();
  if (kind == "message_queue") return internal::MakeMessageQueueChannel();
  if (kind == "queue") return internal::MakeQueueChannel();
  if (kind == "tbb_queue") return internal::MakeTbbQueueChannel();
  throw std::invalid_argument(fmt::format("unknown channel kind '{}'", kind));
}

}  // namespace concbench
