#include "concbench/fork_helper.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "concbench/child_entry.h"
#include "concbench/cleanup.h"
#include "concbench/clock.h"
#include "concbench/exit_code.h"
#include "fd_io.h"

extern char** environ;

namespace concbench {
namespace {

constexpr int kCommandFd = 3;
constexpr int kReplyFd = 4;

// Replies below zero are failures: minus errno of fork or waitpid, or
// kChildFailed minus kCodeBias minus the child's exit code (ExitCodeFromStatus:
// -64 to -1 for a signal, 1 to 255 for a status; the bias keeps both below
// kChildFailed).
constexpr std::int64_t kChildFailed = -100000;
constexpr std::int64_t kCodeBias = 1000;

using internal::ReadAll;
using internal::WriteAll;

// WriteAll with SIGPIPE blocked in this thread, so that a helper that died
// is an EPIPE here, not a signal that kills the benchmark. A SIGPIPE raised
// meanwhile is consumed.
bool WriteAllNoSigpipe(int fd, const void* data, std::size_t size) {
  sigset_t pipe_set;
  sigset_t old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const bool written = WriteAll(fd, data, size);
  if (!written && errno == EPIPE) {
    const timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return written;
}

std::int64_t ForkExitWaitTimes(std::uint32_t count) {
  const std::int64_t start = NowNs();
  for (std::uint32_t i = 0; i < count; ++i) {
    const pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) _exit(0);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return -errno;
    }
    const int code = ExitCodeFromStatus(status);
    if (code != 0) return kChildFailed - kCodeBias - code;
  }
  return NowNs() - start;
}

void ThrowErrno(const char* what, int error) {
  throw std::system_error(error, std::generic_category(), what);
}

}  // namespace

ForkHelper::ForkHelper(const std::string& program) {
  int command[2];
  int reply[2];
  if (pipe2(command, O_CLOEXEC) != 0) ThrowErrno("pipe2", errno);
  if (pipe2(reply, O_CLOEXEC) != 0) {
    const int error = errno;
    close(command[0]);
    close(command[1]);
    ThrowErrno("pipe2", error);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears O_CLOEXEC on the copies the helper keeps.
  posix_spawn_file_actions_adddup2(&actions, command[0], kCommandFd);
  posix_spawn_file_actions_adddup2(&actions, reply[1], kReplyFd);
  std::string path = program;
  std::string flag = kForkHelperFlag;
  std::array<char*, 3> argv = {path.data(), flag.data(), nullptr};
  const int error =
      posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(command[0]);
  close(reply[1]);
  command_fd_ = command[1];
  reply_fd_ = reply[0];
  if (error != 0) {
    close(command_fd_);
    close(reply_fd_);
    pid_ = -1;
    ThrowErrno(("posix_spawn " + program).c_str(), error);
  }
  internal::RecordChild(pid_);
}

ForkHelper::~ForkHelper() {
  close(command_fd_);  // the helper reads EOF and exits
  close(reply_fd_);
  int status = 0;
  while (!reaped_ && waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  internal::ForgetChild(pid_);
}

std::int64_t ForkHelper::ForkExitWait(std::uint32_t count) {
  std::int64_t reply = 0;
  if (!WriteAllNoSigpipe(command_fd_, &count, sizeof(count)) ||
      !ReadAll(reply_fd_, &reply, sizeof(reply))) {
    // The helper is gone (its pipe closed): reap it, so the message says
    // how it ended and the destructor finds nothing left to wait for.
    int status = 0;
    pid_t done;
    do {
      done = waitpid(pid_, &status, 0);
    } while (done < 0 && errno == EINTR);
    if (done != pid_) {
      throw std::system_error(errno, std::generic_category(),
                              "waitpid for the fork helper");
    }
    reaped_ = true;
    throw std::runtime_error("the fork helper " +
                             DescribeExitCode(ExitCodeFromStatus(status)));
  }
  if (reply <= kChildFailed) {
    throw std::runtime_error(
        "the fork helper's child " +
        DescribeExitCode(static_cast<int>(kChildFailed - kCodeBias - reply)));
  }
  if (reply < 0) {
    throw std::system_error(static_cast<int>(-reply), std::generic_category(),
                            "fork or waitpid in the fork helper");
  }
  return reply;
}

namespace internal {

int ForkHelperMain() {
  // Dies with its parent; a parent already gone is caught by the EOF below.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::uint32_t count = 0;
  while (ReadAll(kCommandFd, &count, sizeof(count))) {
    const std::int64_t reply = ForkExitWaitTimes(count);
    if (!WriteAll(kReplyFd, &reply, sizeof(reply))) return 1;
  }
  return 0;
}

}  // namespace internal
}  // namespace concbench
