#include "concbench/process.h"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <system_error>

#include "concbench/cleanup.h"
#include "concbench/forkserver.h"

namespace concbench {
namespace internal {

pid_t ForkChild() {
  std::fflush(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    ResetAfterFork();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect.
    if (getppid() != parent) _exit(128 + SIGKILL);
    return 0;
  }
  RecordChild(pid);
  return pid;
}

}  // namespace internal

namespace {
std::atomic<int> g_process_count{0};
}

Process::Process(std::function<void()> target, std::string name)
    : target_(std::move(target)), name_(std::move(name)) {
  if (name_.empty()) name_ = fmt::format("Process-{}", ++g_process_count);
}

Process::Process(PortableTarget target, StartMethod method, std::string name)
    : Process(std::function<void()>(), std::move(name)) {
  if (method != StartMethod::kFork && method != StartMethod::kForkserver) {
    throw std::invalid_argument(
        fmt::format("{}: a Process starts with fork or forkserver, not {}",
                    name_, StartMethodName(method)));
  }
  if (target.entry == nullptr)
    throw std::invalid_argument(fmt::format("{}: no entry function", name_));
  portable_ = std::move(target);
  method_ = method;
}

Process::Process(Process&& other) noexcept
    : target_(std::move(other.target_)),
      portable_(std::move(other.portable_)),
      method_(other.method_),
      name_(std::move(other.name_)),
      pid_(other.pid_),
      pidfd_(other.pidfd_),
      status_fd_(other.status_fd_),
      lost_(std::move(other.lost_)),
      exitcode_(other.exitcode_) {
  other.pid_ = 0;
  other.pidfd_ = -1;
  other.status_fd_ = -1;
}

Process::~Process() {
  if (pid_ > 0 && !exitcode_ && lost_.empty()) {
    Signal(SIGKILL);
    Reap(/*block=*/true);
  }
  if (pidfd_ >= 0) close(pidfd_);
  if (status_fd_ >= 0) close(status_fd_);
}

void Process::start() {
  if (pid_ != 0)
    throw std::logic_error(fmt::format("{} already started", name_));
  if (method_ == StartMethod::kForkserver) {
    const internal::ForkserverChild child =
        internal::ForkserverFork(portable_.entry, name_, portable_.args);
    pid_ = child.pid;
    status_fd_ = child.status_fd;
    // Not our child, but a pidfd still names it for signals. ESRCH: it has
    // ended and been reaped already; its status is on the socket.
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    return;
  }
  const pid_t pid = internal::ForkChild();
  if (pid == 0) {
    int code = 0;
    try {
      if (target_) {
        target_();
      } else {
        portable_.entry(portable_.args);
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "concbench: %s: %s\n", name_.c_str(), e.what());
      code = 1;
    } catch (...) {
      std::fprintf(stderr, "concbench: %s: unknown exception\n", name_.c_str());
      code = 1;
    }
    std::fflush(nullptr);
    _exit(code);
  }
  pid_ = pid;
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd_ < 0) {
    const int error = errno;
    kill();
    Reap(/*block=*/true);
    throw std::system_error(error, std::generic_category(), "pidfd_open");
  }
}

bool Process::ReadStatus(bool block) {
  if (!block) {
    pollfd fd{status_fd_, POLLIN, 0};
    if (poll(&fd, 1, 0) <= 0) return false;
  }
  if (const auto code = internal::ReadForkserverStatus(status_fd_)) {
    exitcode_ = *code;
  } else {
    lost_ = fmt::format(
        "{} (pid {}): {} before it reported the child's exit status; its "
        "children died with it",
        name_, pid_, internal::ForkserverLoss());
  }
  return true;
}

void Process::ThrowIfLost() const {
  if (!lost_.empty()) throw std::runtime_error(lost_);
}

bool Process::Reap(bool block) {
  if (exitcode_ || !lost_.empty()) return true;
  if (method_ == StartMethod::kForkserver) return ReadStatus(block);
  int status = 0;
  pid_t got;
  do {
    got = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got < 0 && errno == ECHILD) {
    // Reaped elsewhere: only the interrupt handler does that, after SIGKILL.
    exitcode_ = -SIGKILL;
    return true;
  }
  if (got != pid_) return false;
  exitcode_ = ExitCodeFromStatus(status);
  internal::ForgetChild(pid_);
  return true;
}

bool Process::join(std::optional<std::chrono::milliseconds> timeout) {
  if (pid_ == 0)
    throw std::logic_error(fmt::format("{} was not started", name_));
  const bool ended = timeout ? WaitUntil(*timeout) : Reap(/*block=*/true);
  ThrowIfLost();
  return ended;
}

bool Process::WaitUntil(std::chrono::milliseconds timeout) {
  // The pidfd turns readable when the child ends, the forkserver's status
  // socket when its status arrives: a timed wait with no polling.
  const int ready_fd =
      method_ == StartMethod::kForkserver ? status_fd_ : pidfd_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (Reap(/*block=*/false)) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{ready_fd, POLLIN, 0};
    poll(&fd, 1, static_cast<int>(left.count()) + 1);
  }
}

bool Process::is_alive() {
  if (pid_ == 0) return false;
  const bool ended = Reap(/*block=*/false);
  ThrowIfLost();
  return !ended;
}

void Process::Signal(int signo) {
  // The pidfd names exactly our child, even if its pid were reused; the
  // forkserver's child without one has ended already.
  if (pid_ > 0 && !exitcode_ && pidfd_ >= 0) {
    syscall(SYS_pidfd_send_signal, pidfd_, signo, nullptr, 0);
  } else if (pid_ > 0 && !exitcode_ && method_ == StartMethod::kFork) {
    ::kill(pid_, signo);
  }
}

void Process::terminate() { Signal(SIGTERM); }
void Process::kill() { Signal(SIGKILL); }

}  // namespace concbench
