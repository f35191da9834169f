// pipe and socketpair channels: the kernel copies every byte twice and wakes
// the reader; this is the cost the shared-memory ring avoids. Reads and
// writes block, as their users' code would: one system call per transfer
// when the other side is ready. A peer that dies or closes its side (the
// kernel closes a dead process's descriptors; Channel::Close for a thread)
// ends a blocked read with end-of-file and a blocked write with EPIPE, both
// turned into ChannelError.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <mutex>
#include <system_error>

#include "concbench/channel.h"

namespace concbench::internal {
namespace {

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// A write to a pipe or socket whose reader is gone raises SIGPIPE, which
// would kill the writer; ignored once for the whole process, such a write
// fails with EPIPE instead. Children inherit the setting.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { signal(SIGPIPE, SIG_IGN); });
}

// One end: the descriptors of its side, {read, write} (one socket serves
// both). It reads them from its channel at each call, so an end whose side
// was closed fails with EBADF instead of using a reused number.
class FdEnd : public ChannelEnd {
 public:
  explicit FdEnd(const std::array<int, 2>& fds) : fds_(fds) {}

  void Write(std::span<const std::byte> bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = write(fds_[1], bytes.data(), bytes.size());
      if (n > 0) {
        bytes = bytes.subspan(static_cast<std::size_t>(n));
      } else if (n < 0 && errno == EPIPE) {
        throw ChannelError("write: the peer closed its end");
      } else if (n < 0 && errno != EINTR) {
        throw std::system_error(errno, std::generic_category(), "write");
      }
    }
  }

  void Read(std::span<std::byte> bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = read(fds_[0], bytes.data(), bytes.size());
      if (n > 0) {
        bytes = bytes.subspan(static_cast<std::size_t>(n));
      } else if (n == 0) {
        throw ChannelError("read: the peer closed its end");
      } else if (errno != EINTR) {
        throw std::system_error(errno, std::generic_category(), "read");
      }
    }
  }

 private:
  const std::array<int, 2>& fds_;
};

// fds_[side] holds that side's descriptors; each is closed once.
class FdChannel : public Channel {
 public:
  FdChannel(std::array<int, 2> side0, std::array<int, 2> side1)
      : fds_{side0, side1}, ends_{FdEnd(fds_[0]), FdEnd(fds_[1])} {}
  ~FdChannel() override {
    for (int side = 0; side < 2; ++side) Close(side);
  }
  FdChannel(const FdChannel&) = delete;
  FdChannel& operator=(const FdChannel&) = delete;

  ChannelEnd& end(int side) override { return ends_[side]; }
  void KeepOnly(int side) override { Close(1 - side); }
  void Close(int side) override {
    auto& [a, b] = fds_[side];
    if (a == b) b = -1;  // a socket serves both directions
    CloseFd(a);
    CloseFd(b);
  }

 private:
  std::array<std::array<int, 2>, 2> fds_;
  std::array<FdEnd, 2> ends_;
};

}  // namespace

std::unique_ptr<Channel> MakePipeChannel() {
  IgnoreSigpipeOnce();
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
  IgnoreSigpipeOnce();
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
  return std::make_unique<FdChannel>(std::array<int, 2>{fds[0], fds[0]},
                                     std::array<int, 2>{fds[1], fds[1]});
}

}  // namespace concbench::internal
