// pipe and socketpair channels: the kernel copies every byte twice and wakes
// the reader; this is the cost the shared-memory ring avoids.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "concbench/channel.h"

namespace concbench::internal {
namespace {

using Clock = std::chrono::steady_clock;

// Waits slices this long for readiness, so a dead peer is noticed quickly.
constexpr int kPollSliceMs = 10;

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Blocks for at most one slice until `fd` is ready for `events`.
void PollSlice(int fd, short events) {
  pollfd item{fd, events, 0};
  poll(&item, 1, kPollSliceMs);
}

// Writes with SIGPIPE blocked in this thread: a reader that died must turn
// into an EPIPE error here, not kill the writer. A SIGPIPE that was raised
// meanwhile is consumed so it never reaches the process.
ssize_t WriteNoSigpipe(int fd, const void* data, std::size_t size) {
  sigset_t pipe_set;
  sigset_t old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const ssize_t written = write(fd, data, size);
  const int saved = errno;
  if (written < 0 && saved == EPIPE) {
    const timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = saved;
  return written;
}

// One end: a descriptor to read and one to write (the same for a socket).
class FdEnd : public ChannelEnd {
 public:
  FdEnd(int read_fd, int write_fd) : read_fd_(read_fd), write_fd_(write_fd) {}

  void Write(std::span<const std::byte> bytes) override {
    auto since = Clock::now();
    while (!bytes.empty()) {
      const ssize_t n = WriteNoSigpipe(write_fd_, bytes.data(), bytes.size());
      if (n > 0) {
        bytes = bytes.subspan(static_cast<std::size_t>(n));
        since = Clock::now();
        continue;
      }
      if (n < 0 && errno == EPIPE) throw ChannelError("write: the peer closed");
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "write");
      PollSlice(write_fd_, POLLOUT);
      CheckPeer(since, "write");
    }
  }

  void Read(std::span<std::byte> bytes) override {
    auto since = Clock::now();
    while (!bytes.empty()) {
      const ssize_t n = read(read_fd_, bytes.data(), bytes.size());
      if (n > 0) {
        bytes = bytes.subspan(static_cast<std::size_t>(n));
        since = Clock::now();
        continue;
      }
      if (n == 0) throw ChannelError("read: the peer closed its end");
      if (errno != EAGAIN && errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "read");
      PollSlice(read_fd_, POLLIN);
      CheckPeer(since, "read");
    }
  }

  int read_fd_;
  int write_fd_;
};

// Descriptors are non-blocking: a read or write tries once, then the end
// polls in slices, checking the peer between them.
void SetNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    throw std::system_error(errno, std::generic_category(), "fcntl");
}

// fds_[side] holds that side's descriptors; each is closed once.
class FdChannel : public Channel {
 public:
  FdChannel(std::array<int, 2> side0, std::array<int, 2> side1)
      : fds_{side0, side1},
        ends_{FdEnd(side0[0], side0[1]), FdEnd(side1[0], side1[1])} {
    for (auto& side : fds_)
      for (int fd : side) SetNonBlocking(fd);
  }
  ~FdChannel() override {
    for (int side = 0; side < 2; ++side) Drop(side);
  }
  FdChannel(const FdChannel&) = delete;
  FdChannel& operator=(const FdChannel&) = delete;

  ChannelEnd& end(int side) override { return ends_[side]; }
  void KeepOnly(int side) override { Drop(1 - side); }

 private:
  void Drop(int side) {
    auto& [a, b] = fds_[side];
    if (a == b) b = -1;  // a socket serves both directions
    CloseFd(a);
    CloseFd(b);
  }

  std::array<std::array<int, 2>, 2> fds_;
  std::array<FdEnd, 2> ends_;
};

}  // namespace

std::unique_ptr<Channel> MakePipeChannel() {
  int forward[2];   // side 0 writes, side 1 reads
  int backward[2];  // side 1 writes, side 0 reads
  if (pipe2(forward, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe");
  if (pipe2(backward, O_CLOEXEC) != 0) {
    const int saved = errno;
    close(forward[0]);
    close(forward[1]);
    throw std::system_error(saved, std::generic_category(), "pipe");
  }
  return std::make_unique<FdChannel>(
      std::array<int, 2>{backward[0], forward[1]},
      std::array<int, 2>{forward[0], backward[1]});
}

std::unique_ptr<Channel> MakeSocketPairChannel() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
  return std::make_unique<FdChannel>(std::array<int, 2>{fds[0], fds[0]},
                                     std::array<int, 2>{fds[1], fds[1]});
}

}  // namespace concbench::internal
