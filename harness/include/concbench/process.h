// A real child process, like multiprocessing.Process: the callable runs in a
// forked copy of this process (the fork start method), or a plain function
// runs in a fork of the forkserver (forkserver.h).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "concbench/exit_code.h"
#include "concbench/start_method.h"

namespace concbench {

// A target that runs in a process sharing no memory with this one, as a
// pickled target does in Python: a plain function of this binary and the
// bytes it reads (copied at start, at most 16 KiB with the name).
struct PortableTarget {
  void (*entry)(std::span<const std::byte> args);
  std::vector<std::byte> args = {};
};

// Runs `target` in a forked child. The child exits 0 when `target` returns,
// 1 when it throws (the message goes to stderr), or whatever it passes to
// _exit(). It gets SIGKILL if this process dies, so it never outlives a run.
//
// Ownership: one Process object owns one child; it can be moved, not copied.
// The destructor kills a child that is still running and reaps it, so no
// zombie is ever left. Use from one thread at a time.
class Process {
 public:
  explicit Process(std::function<void()> target, std::string name = "");
  // Starts `target` with `method`: kFork or kForkserver (the server's child
  // is not this process's, so it is waited for through the status the
  // server reports). Throws std::invalid_argument for another method.
  Process(PortableTarget target, StartMethod method, std::string name = "");
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Starts the child. Throws std::logic_error if already started and
  // std::system_error if fork fails; with the forkserver, std::runtime_error
  // naming the server and how it ended if it is gone.
  void start();

  // Waits for the child to end, at most `timeout` if given. Returns true if it
  // has ended (its exit code is then known). Throws std::runtime_error when
  // the forkserver died before reporting the child's status (its children die
  // with it).
  bool join(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  bool is_alive();  // throws as join() does
  // The exit status, or minus the signal number that ended it; empty while it
  // runs or before start().
  std::optional<int> exitcode() const { return exitcode_; }
  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

  void terminate();  // SIGTERM
  void kill();       // SIGKILL

 private:
  void Signal(int signo);
  bool Reap(bool block);
  bool ReadStatus(bool block);
  bool WaitUntil(std::chrono::milliseconds timeout);
  void ThrowIfLost() const;

  std::function<void()> target_;
  PortableTarget portable_{};
  StartMethod method_ = StartMethod::kFork;
  std::string name_;
  pid_t pid_ = 0;
  int pidfd_ = -1;
  // The forkserver's child: the socket its exit code arrives on.
  int status_fd_ = -1;
  std::string lost_;  // the forkserver died before reporting; why
  std::optional<int> exitcode_;
};

namespace internal {

// fork() with the child set up the way every concbench child needs: dies with
// its parent, owns no names or children of the parent, and stdio buffers
// flushed beforehand so nothing is printed twice. Returns as fork() does;
// throws std::system_error on failure. The parent records the child for
// cleanup on interrupt (ForgetChild once reaped).
pid_t ForkChild();

}  // namespace internal
}  // namespace concbench
