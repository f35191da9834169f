// The other side of an ipc benchmark: a forked process or a thread, pinned
// according to the placement in the benchmark's name, running one side of a
// Channel while the benchmark's thread runs the other.
#pragma once

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/channel.h"
#include "concbench/process.h"

namespace concbench::ipc {

enum class PeerKind { kProcess, kThread };
// same: both sides on one CPU; split: two CPUs; none: the scheduler decides.
enum class Pin { kSame, kSplit, kNone };

inline const char* PeerName(PeerKind kind) {
  return kind == PeerKind::kProcess ? "process" : "thread";
}
inline const char* PinName(Pin pin) {
  return pin == Pin::kSame ? "same" : pin == Pin::kSplit ? "split" : "none";
}

// Pins the calling thread for the placement and restores its previous mask
// on destruction, so the next benchmark starts unpinned.
class MainPlacement {
 public:
  explicit MainPlacement(Pin pin) {
    pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_);
    // Read before pinning: afterwards the mask holds one CPU.
    const std::vector<int> cpus = AllowedCpus();
    if (pin == Pin::kNone) return;
    PinThisThread(cpus.front());
    peer_cpu_ = pin == Pin::kSame ? cpus.front() : cpus.at(1);
  }
  ~MainPlacement() {
    pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
  }
  MainPlacement(const MainPlacement&) = delete;
  MainPlacement& operator=(const MainPlacement&) = delete;

  // The CPU the peer must run on, or -1 for anywhere.
  int peer_cpu() const { return peer_cpu_; }

 private:
  cpu_set_t saved_{};
  int peer_cpu_ = -1;
};

// Runs `body(end(1))` in a peer and arms end(0) to notice the peer's death:
// a peer process's descriptors close when it dies, a peer thread closes its
// side when it ends (Channel::Close), and for the channels that wait in
// slices, end(0)'s peer check watches the process or thread.
class Peer {
 public:
  Peer(PeerKind kind, const MainPlacement& placement, Channel& channel,
       std::function<void(ChannelEnd&)> body)
      : channel_(channel) {
    const int cpu = placement.peer_cpu();
    auto run = [&channel, cpu, body = std::move(body)] {
      if (cpu >= 0) PinThisThread(cpu);
      body(channel.end(1));
    };
    if (kind == PeerKind::kThread) {
      // Set before the thread starts; tells a waiting peer thread that the
      // run was abandoned, so it ends without waiting out its stall limit.
      channel.end(1).SetPeerCheck([this] { return !abandoned_.load(); });
      thread_.emplace([this, &channel, run] {
        try {
          run();
        } catch (const std::exception& e) {
          error_ = e.what();
        }
        done_.store(true);
        // Ends the main thread's blocking wait, as a dead process's would.
        channel.Close(1);
      });
      channel.end(0).SetPeerCheck([this] { return !done_.load(); });
      return;
    }
    const pid_t parent = getpid();
    process_.emplace([&channel, parent, run] {
      channel.KeepOnly(1);
      channel.end(1).SetPeerCheck([parent] { return getppid() == parent; });
      run();
    });
    process_->start();
    channel.KeepOnly(0);
    channel.end(0).SetPeerCheck([this] { return process_->is_alive(); });
  }
  ~Peer() {
    channel_.end(0).SetPeerCheck({});
    if (thread_) thread_->join();
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // Waits for the peer to end; returns what went wrong in it, or "".
  // `abandon`: the run failed and no stop message was sent, so a process
  // peer is killed at once instead of waiting out its stall limit.
  std::string Finish(bool abandon = false) {
    if (abandon) {
      abandoned_.store(true);
      // Ends a thread peer's blocking wait; the main side is not used again.
      channel_.Close(0);
    }
    if (process_ && abandon) process_->kill();
    if (thread_) {
      thread_->join();
      thread_.reset();
      return error_;
    }
    if (!process_->join(std::chrono::seconds(10))) {
      process_->kill();
      return "the peer process did not end within 10 s";
    }
    const int code = process_->exitcode().value_or(0);
    if (code == 0) return "";
    return "the peer process " + internal::DescribeExitCode(code);
  }

 private:
  Channel& channel_;
  std::optional<std::thread> thread_;
  std::optional<Process> process_;
  std::atomic<bool> done_{false};
  std::atomic<bool> abandoned_{false};
  std::string error_;
};

}  // namespace concbench::ipc
