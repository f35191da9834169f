// The other side of a two-sided benchmark: a forked process or a thread,
// placed on a CPU according to the benchmark's placement, running one side
// of a Channel while the benchmark's thread runs the other.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "concbench/channel.h"
#include "concbench/placement.h"
#include "concbench/process.h"

namespace concbench {

enum class PeerKind { kProcess, kThread };
const char* PeerName(PeerKind kind);  // "process" | "thread"

// Runs `body(channel.end(1))` in a peer placed on placement.peer_cpu(),
// while the caller uses end(0). The peer's end ends the caller's waits on
// end(0) when it goes: a peer process's descriptors close when it exits or
// dies, a peer thread closes its side (Channel::Close) when `body` returns
// or throws, and for channels that wait in slices end(0)'s peer check
// watches the process or thread. `placement` and `channel` must outlive the
// Peer; the body runs until it returns (a process peer exits with status 0,
// or non-zero when `body` throws).
class Peer {
 public:
  Peer(PeerKind kind, const MainPlacement& placement, Channel& channel,
       std::function<void(ChannelEnd&)> body);
  // Joins a thread peer that Finish did not; a process peer not finished is
  // killed and reaped by its Process.
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // Waits for the peer to end (a process for at most 10 s, then it is
  // killed); returns what went wrong in it, or "". `abandon`: the caller
  // gave up without telling the peer to stop, so a process peer is killed
  // and a thread peer's waits are ended at once (end(0) is closed and must
  // not be used again). Call once.
  std::string Finish(bool abandon = false);

 private:
  Channel& channel_;
  std::optional<std::thread> thread_;
  std::optional<Process> process_;
  std::atomic<bool> done_{false};
  std::atomic<bool> abandoned_{false};
  std::string error_;
};

}  // namespace concbench
