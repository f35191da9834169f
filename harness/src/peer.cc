#include "concbench/peer.h"

#include <unistd.h>

#include <chrono>
#include <exception>
#include <vector>

#include "concbench/affinity.h"

namespace concbench {

const char* PeerName(PeerKind kind) {
  return kind == PeerKind::kProcess ? "process" : "thread";
}

Peer::Peer(PeerKind kind, const MainPlacement& placement, Channel& channel,
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

Peer::~Peer() {
  channel_.end(0).SetPeerCheck({});
  if (thread_) {
    // Finish was never called (the caller threw): abandon the peer first, or
    // a thread blocked in a read of a blocking channel would never return.
    abandoned_.store(true);
    channel_.Close(0);
    thread_->join();
  }
}

std::string Peer::Finish(bool abandon) {
  if (abandon) {
    abandoned_.store(true);
    // Ends a thread peer's blocking wait; the main side is not used again.
    channel_.Close(0);
    if (process_) process_->kill();
  }
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
  return "the peer process " + DescribeExitCode(code);
}

}  // namespace concbench
