// A real child process, like multiprocessing.Process with the fork start
// method: the callable runs in a forked copy of this process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "concbench/exit_code.h"

namespace concbench {

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
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Forks the child. Throws std::logic_error if already started and
  // std::system_error if fork fails.
  void start();

  // Waits for the child to end, at most `timeout` if given. Returns true if it
  // has ended (its exit code is then known).
  bool join(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  bool is_alive();
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

  std::function<void()> target_;
  std::string name_;
  pid_t pid_ = 0;
  int pidfd_ = -1;
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
