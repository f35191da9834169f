// A small process that forks on command: the floor of fork+exit+wait
// without the benchmark parent's size. A large parent's fork copies its page
// tables and mappings; the helper is a fresh exec of this binary that has
// done nothing else, so its fork costs what the machine's fork costs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace concbench {

class ForkHelper {
 public:
  // Starts `program` (a binary whose main calls RunChildEntry first) as the
  // helper, talking over two pipes. Throws std::system_error when it cannot
  // be started.
  explicit ForkHelper(const std::string& program = "/proc/self/exe");
  // Closes the command pipe, on which the helper exits, and reaps it.
  ~ForkHelper();
  ForkHelper(const ForkHelper&) = delete;
  ForkHelper& operator=(const ForkHelper&) = delete;

  // Has the helper, `count` times, fork a child that _exits(0) at once and
  // wait for it (checking its status). Returns the nanoseconds the helper
  // measured around those forks alone, not the command's trip. Throws
  // std::runtime_error or std::system_error naming the cause when a fork or
  // wait failed in the helper, or when the helper is gone (it is reaped
  // then, and every later call fails).
  std::int64_t ForkExitWait(std::uint32_t count);

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int command_fd_ = -1;
  int reply_fd_ = -1;
  bool reaped_ = false;
};

namespace internal {
// The helper's side: serves commands on descriptors 3 (in) and 4 (out)
// until the command pipe closes. Returns the exit status.
int ForkHelperMain();
}  // namespace internal

}  // namespace concbench
