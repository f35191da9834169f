// Two-way byte channels between two processes (after fork) or two threads:
// the seed's Pipe() and the transports it is compared with, each described
// by its ChannelInfo entry. A Channel has two
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

#include "concbench/floors.h"
#include "concbench/required.h"

namespace concbench {

// A peer that died, closed its end or (where the channel waits in slices)
// stalled past the limit. A channel wait never outlives its peer: it ends
// in this error instead.
struct ChannelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One end of a Channel. Write and Read move exactly the bytes asked for,
// or throw ChannelError. How they wait is a trait of the channel
// (ChannelInfo::blocking_waits): blocking waits last until the peer
// answers, closes its side or dies; the others also end when the peer check
// fails or no progress is made within stall_limit. One writer thread and
// one reader thread per end at most.
class ChannelEnd {
 public:
  virtual ~ChannelEnd() = default;
  virtual void Write(std::span<const std::byte> bytes) = 0;
  virtual void Read(std::span<std::byte> bytes) = 0;

  // How a waiting Write or Read learns that the peer is gone: `alive` is
  // polled every few milliseconds while waiting (empty: assume alive), and
  // how long it may wait without progress. Neither applies to a channel
  // whose waits block: there the peer's closed side is the signal.
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
  // `side` is done (its thread ended or gave up): releases what belongs to
  // it, so that the other side's blocking waits end in ChannelError. Call
  // from the thread that used `side`, or when none uses it any more. A no-op
  // for a channel whose waits check the peer instead.
  virtual void Close(int side) { (void)side; }
};

// What is known about a channel kind: one entry per kind in one table
// (harness/src/channels/channel.cc), from which the ipc benchmarks, the
// tests and --list=json derive. Every trait is required.
struct ChannelInfo {
  std::string_view name;
  // Its ends work in two processes after a fork; false: in one process's
  // heap, threads only.
  Required<bool> across_processes;
  // Waits block in the kernel (one system call when the peer is ready) and
  // end only when the peer answers, closes its side or dies; false: waits
  // spin or sleep in bounded slices, checking the peer and the stall limit.
  Required<bool> blocking_waits;
  // The limits round trip its ping-pong is compared with (floors.h).
  Required<floors::RoundTrip> pingpong_floor;
  Required<std::unique_ptr<Channel> (*)()> make;
};

// Every channel kind, in the order benchmarks are registered.
std::span<const ChannelInfo> Channels();
// The entry named `kind`; throws std::invalid_argument for an unknown one.
const ChannelInfo& FindChannel(std::string_view kind);

// A new channel of `kind`, created before forking so both processes share it.
// Throws std::invalid_argument for an unknown kind, std::system_error when the
// system refuses the descriptors or memory.
std::unique_ptr<Channel> MakeChannel(std::string_view kind);

}  // namespace concbench
