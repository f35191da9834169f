// Two-way byte channels between two processes (after fork) or two threads:
// the seed's Pipe() and the transports it is compared with. A Channel has two
// ends, 0 and 1; what one end writes, the other reads, in order.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace concbench {

// A peer that died, closed its end or stalled past the limit. Channel waits
// never block forever: they end in this error instead.
struct ChannelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One end of a Channel. Write and Read move exactly the bytes asked for,
// waiting as long as the peer is alive and makes progress within
// stall_limit; otherwise they throw ChannelError. One writer thread and one
// reader thread per end at most.
class ChannelEnd {
 public:
  virtual ~ChannelEnd() = default;
  virtual void Write(std::span<const std::byte> bytes) = 0;
  virtual void Read(std::span<std::byte> bytes) = 0;

  // How a blocked Write or Read learns that the peer is gone: `alive` is
  // polled every few milliseconds while waiting (empty: assume alive).
  void SetPeerCheck(std::function<bool()> alive) { alive_ = std::move(alive); }
  void SetStallLimit(std::chrono::milliseconds limit) { stall_limit_ = limit; }

 protected:
  // Throws ChannelError when the peer is gone or `since` is older than the
  // stall limit. Call between bounded waits.
  void CheckPeer(std::chrono::steady_clock::time_point since,
                 std::string_view doing) const;

 private:
  std::function<bool()> alive_;
  std::chrono::milliseconds stall_limit_{10'000};
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual ChannelEnd& end(int side) = 0;
  // In a process that uses only `side` after a fork: drops what belongs to
  // the other side, so that the other side's death is seen as end-of-file.
  virtual void KeepOnly(int side) { (void)side; }
};

// The channel kinds MakeChannel knows: "pipe", "socketpair", "shm_ring",
// "message_queue", "queue" and the thread-only "tbb_queue".
const std::vector<std::string>& ChannelKinds();

// False for a thread-only kind, whose ends live in one process's heap.
bool WorksAcrossProcesses(std::string_view kind);

// A new channel of `kind`, created before forking so both processes share it.
// Throws std::invalid_argument for an unknown kind, std::system_error when the
// system refuses the descriptors or memory.
std::unique_ptr<Channel> MakeChannel(std::string_view kind);

namespace internal {
std::unique_ptr<Channel> MakePipeChannel();
std::unique_ptr<Channel> MakeSocketPairChannel();
std::unique_ptr<Channel> MakeShmRingChannel();
std::unique_ptr<Channel> MakeMessageQueueChannel();
std::unique_ptr<Channel> MakeQueueChannel();
std::unique_ptr<Channel> MakeTbbQueueChannel();
}  // namespace internal

}  // namespace concbench
