#include "concbench/forkserver.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "concbench/cleanup.h"
#include "concbench/cpu_time.h"
#include "concbench/exit_code.h"
#include "fd_io.h"

namespace concbench {
namespace internal {
namespace {

// The server's end of the request socket, after it closed everything else.
constexpr int kRequestFd = 3;

// A request: this header, the name, the args; one SOCK_SEQPACKET message
// carrying the child's status socket (SCM_RIGHTS).
struct RequestHeader {
  std::uintptr_t entry;
  std::uint32_t name_size;
  std::uint32_t args_size;
};

void ThrowErrno(const char* what, int error) {
  throw std::system_error(error, std::generic_category(), what);
}

// --- The server -----------------------------------------------------------

// A forked child of the server: runs the entry and exits as Process's do.
[[noreturn]] void RunChild(const RequestHeader& header, const char* name,
                           const std::byte* args) {
  int code = 0;
  try {
    reinterpret_cast<ForkserverEntry>(header.entry)(
        std::span<const std::byte>(args, header.args_size));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "concbench: %.*s: %s\n",
                 static_cast<int>(header.name_size), name, e.what());
    code = 1;
  } catch (...) {
    std::fprintf(stderr, "concbench: %.*s: unknown exception\n",
                 static_cast<int>(header.name_size), name);
    code = 1;
  }
  std::fflush(nullptr);
  _exit(code);
}

// How a child ended, as its status socket carries it.
struct ChildEnd {
  std::int64_t exit_code;  // ExitCodeFromStatus
  std::int64_t cpu_ns;     // its user + system time (and its reaped children's)
};

std::int64_t Nanoseconds(const timeval& time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 +
         static_cast<std::int64_t>(time.tv_usec) * 1'000;
}

// Reaps every ended child and writes how it ended to its status socket.
void ReapChildren(std::map<pid_t, int>& children) {
  int status = 0;
  rusage usage{};
  pid_t pid;
  while ((pid = wait4(-1, &status, WNOHANG, &usage)) > 0) {
    const auto it = children.find(pid);
    if (it == children.end()) continue;
    const ChildEnd end{
        ExitCodeFromStatus(status),
        Nanoseconds(usage.ru_utime) + Nanoseconds(usage.ru_stime)};
    SendAll(it->second, &end, sizeof(end));
    close(it->second);
    children.erase(it);
  }
}

// Serves fork requests on kRequestFd until the requester closes it. A
// request with no status socket or a wrong size gets no answer (only this
// file writes requests).
int ServerMain(pid_t parent, const sigset_t& child_mask) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) return 1;  // the parent died before prctl
  // Ctrl-C is the parent's to handle; it kills the server on its way out.
  signal(SIGINT, SIG_IGN);
  // A child's end arrives as SIGCHLD on a descriptor, polled with requests.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  signal(SIGCHLD, SIG_DFL);  // never SIG_IGN, which would reap them for us
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  const int ended = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (ended < 0) return 1;
  const pid_t self = getpid();
  std::map<pid_t, int> children;  // pid -> its status socket
  std::vector<std::byte> buffer(sizeof(RequestHeader) + kMaxForkserverRequest);
  for (;;) {
    pollfd fds[2] = {{kRequestFd, POLLIN, 0}, {ended, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (read(ended, &info, sizeof(info)) > 0) {
      }
      ReapChildren(children);
    }
    if (fds[0].revents == 0) continue;
    iovec iov{buffer.data(), buffer.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    const ssize_t size = recvmsg(kRequestFd, &message, MSG_CMSG_CLOEXEC);
    if (size < 0 && errno == EINTR) continue;
    if (size <= 0) break;  // the requester is gone: done
    int status_fd = -1;
    const cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
    if (cmsg != nullptr && cmsg->cmsg_level == SOL_SOCKET &&
        cmsg->cmsg_type == SCM_RIGHTS) {
      std::memcpy(&status_fd, CMSG_DATA(cmsg), sizeof(int));
    }
    RequestHeader header{};
    if (static_cast<std::size_t>(size) >= sizeof(header))
      std::memcpy(&header, buffer.data(), sizeof(header));
    if (status_fd < 0 ||
        static_cast<std::size_t>(size) !=
            sizeof(header) + header.name_size + header.args_size) {
      if (status_fd >= 0) close(status_fd);
      continue;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      // The child holds nothing of the server's: no request socket, no
      // other child's status socket, and SIGCHLD unblocked again.
      for (const auto& [other, fd] : children) close(fd);
      close(status_fd);
      close(ended);
      close(kRequestFd);
      sigprocmask(SIG_SETMASK, &child_mask, nullptr);
      signal(SIGINT, SIG_DFL);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != self) _exit(128 + SIGKILL);
      const char* name =
          reinterpret_cast<const char*>(buffer.data()) + sizeof(header);
      RunChild(header, name, buffer.data() + sizeof(header) + header.name_size);
    }
    const std::int32_t reply = pid > 0 ? pid : -errno;
    if (pid > 0 && SendAll(status_fd, &reply, sizeof(reply))) {
      children[pid] = status_fd;
    } else {
      if (pid < 0) SendAll(status_fd, &reply, sizeof(reply));
      close(status_fd);
    }
  }
  // No child outlives the server.
  for (const auto& [pid, fd] : children) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(fd);
  }
  return 0;
}

// --- The client -----------------------------------------------------------

std::string CannotStart(std::string_view name, const std::string& loss) {
  return "cannot start " + std::string(name) + ": " + loss;
}

// The requesting side, one per process. Never destroyed: at exit (and on an
// interrupt) cleanup.h kills and reaps the server, a recorded child, and its
// children follow it (PR_SET_PDEATHSIG).
class Client {
 public:
  void Start() {
    std::lock_guard lock(mutex_);
    StartLocked();
  }

  ForkserverChild Fork(ForkserverEntry entry, std::string_view name,
                       std::span<const std::byte> args) {
    if (name.size() + args.size() > kMaxForkserverRequest) {
      throw std::invalid_argument("a forkserver request carries at most " +
                                  std::to_string(kMaxForkserverRequest) +
                                  " bytes of name and args");
    }
    int pair[2];
    {
      std::lock_guard lock(mutex_);
      StartLocked();
      if (reaped_) throw std::runtime_error(CannotStart(name, loss_));
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        ThrowErrno("socketpair", errno);
      const RequestHeader header{reinterpret_cast<std::uintptr_t>(entry),
                                 static_cast<std::uint32_t>(name.size()),
                                 static_cast<std::uint32_t>(args.size())};
      iovec iov[3] = {{const_cast<RequestHeader*>(&header), sizeof(header)},
                      {const_cast<char*>(name.data()), name.size()},
                      {const_cast<std::byte*>(args.data()), args.size()}};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
      msghdr message{};
      message.msg_iov = iov;
      message.msg_iovlen = 3;
      message.msg_control = control;
      message.msg_controllen = sizeof(control);
      cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(cmsg), &pair[1], sizeof(int));
      ssize_t sent;
      do {
        sent = sendmsg(request_fd_, &message, MSG_NOSIGNAL);
      } while (sent < 0 && errno == EINTR);
      close(pair[1]);
      if (sent < 0) {
        close(pair[0]);
        throw std::runtime_error(CannotStart(name, LossLocked()));
      }
    }
    std::int32_t reply = 0;
    if (!ReadAll(pair[0], &reply, sizeof(reply))) {
      close(pair[0]);
      throw std::runtime_error(CannotStart(name, Loss()));
    }
    if (reply < 0) {
      close(pair[0]);
      ThrowErrno("fork in the forkserver", -reply);
    }
    return {static_cast<pid_t>(reply), pair[0]};
  }

  pid_t pid() {
    std::lock_guard lock(mutex_);
    return owner_ == getpid() ? pid_ : -1;
  }

  std::string Loss() {
    std::lock_guard lock(mutex_);
    return LossLocked();
  }

  void Stop() {
    std::lock_guard lock(mutex_);
    if (pid_ <= 0 || owner_ != getpid()) return;
    if (!reaped_) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      ForgetChild(pid_);
    }
    close(request_fd_);
    if (pidfd_ >= 0) close(pidfd_);
    request_fd_ = pidfd_ = -1;
    pid_ = -1;
    reaped_ = false;
  }

 private:
  void StartLocked() {
    if (pid_ > 0 && owner_ == getpid()) return;
    // A forked child inherited its parent's client: it gets its own server.
    if (request_fd_ >= 0) close(request_fd_);
    if (pidfd_ >= 0) close(pidfd_);
    request_fd_ = pidfd_ = -1;
    pid_ = -1;
    reaped_ = false;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
      ThrowErrno("socketpair", errno);
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    std::fflush(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
      const int error = errno;
      close(pair[0]);
      close(pair[1]);
      ThrowErrno("fork of the forkserver", error);
    }
    if (pid == 0) {
      ResetAfterFork();
      if (pair[1] != kRequestFd) dup2(pair[1], kRequestFd);
      syscall(SYS_close_range, kRequestFd + 1, ~0U, 0);
      _exit(ServerMain(parent, mask));
    }
    close(pair[1]);
    request_fd_ = pair[0];
    pid_ = pid;
    owner_ = parent;
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    RecordChild(pid);
  }

  std::string LossLocked() {
    const std::string server =
        "the forkserver (pid " + std::to_string(pid_) + ")";
    if (reaped_) return loss_;
    // It closed its end, so it is ending: give it a second to be reaped.
    if (pidfd_ >= 0) {
      pollfd fd{pidfd_, POLLIN, 0};
      poll(&fd, 1, 1000);
    }
    int status = 0;
    pid_t got;
    do {
      got = waitpid(pid_, &status, WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got == 0) return server + " stopped answering";
    reaped_ = true;
    ForgetChild(pid_);
    // ECHILD: the interrupt handler reaped it after killing it.
    loss_ = server + " " +
            (got == pid_ ? DescribeExitCode(ExitCodeFromStatus(status))
                         : DescribeExitCode(-SIGKILL));
    return loss_;
  }

  std::mutex mutex_;
  pid_t pid_ = -1;
  pid_t owner_ = 0;
  int request_fd_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
  std::string loss_;
};

Client& TheClient() {
  static Client* client = new Client;
  return *client;
}

}  // namespace

std::optional<int> ReadForkserverStatus(int status_fd) {
  ChildEnd end{};
  if (!ReadAll(status_fd, &end, sizeof(end))) return std::nullopt;
  AddReapedCpuSeconds(static_cast<double>(end.cpu_ns) * 1e-9);
  return static_cast<int>(end.exit_code);
}

ForkserverChild ForkserverFork(ForkserverEntry entry, std::string_view name,
                               std::span<const std::byte> args) {
  return TheClient().Fork(entry, name, args);
}

pid_t ForkserverPid() { return TheClient().pid(); }

std::string ForkserverLoss() { return TheClient().Loss(); }

void StopForkserver() { TheClient().Stop(); }

}  // namespace internal

void StartForkserver() { internal::TheClient().Start(); }

}  // namespace concbench
