#include "concbench/manager.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "concbench/affinity.h"

namespace concbench {
namespace {

using Clock = std::chrono::steady_clock;

std::system_error SystemError(const char* what) {
  return std::system_error(errno, std::generic_category(), what);
}

sockaddr_un Address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path))
    throw std::invalid_argument("socket path too long: " + path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// A socket file next to the other temporary files, named like every
// run-scoped object so the leak check finds it.
std::string SocketPath() {
  return (std::filesystem::temp_directory_path() /
          (UniqueObjectName() + ".sock"))
      .string();
}

// Closes every descriptor from 3 up except `keep_a` and `keep_b`: the server
// must not hold another manager's owner pipe, or that one never sees EOF.
void CloseAllExcept(int keep_a, int keep_b) {
  const int low = std::min(keep_a, keep_b);
  const int high = std::max(keep_a, keep_b);
  if (low > 3) close_range(3, static_cast<unsigned>(low - 1), 0);
  if (high > low + 1)
    close_range(static_cast<unsigned>(low + 1), static_cast<unsigned>(high - 1),
                0);
  close_range(static_cast<unsigned>(high + 1), ~0U, 0);
}

}  // namespace

Manager::Manager(int cpu) : path_(NameKind::kFile, SocketPath()) {
  // Listening before the fork: a client may connect as soon as this returns.
  const int listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) throw SystemError("socket");
  const sockaddr_un address = Address(path_.str());
  if (bind(listen_fd, reinterpret_cast<const sockaddr*>(&address),
           sizeof(address)) != 0 ||
      listen(listen_fd, 64) != 0) {
    const auto error = SystemError("bind/listen");
    close(listen_fd);
    throw error;
  }
  int owner[2];
  if (pipe2(owner, O_CLOEXEC) != 0) {
    const auto error = SystemError("pipe");
    close(listen_fd);
    throw error;
  }
  owner_pipe_ = owner[1];
  const std::string path = path_.str();
  server_.emplace(
      [listen_fd, owner, path, cpu] {
        CloseAllExcept(listen_fd, owner[0]);
        // The pipe, not SIGKILL with the parent, ends the server: it must
        // live long enough after its owner's death to remove the socket.
        prctl(PR_SET_PDEATHSIG, 0);
        if (cpu >= 0) PinThisThread(cpu);
        internal::RunManagerServer(listen_fd, path, owner[0]);
      },
      "manager");
  try {
    server_->start();
  } catch (...) {
    close(listen_fd);
    close(owner[0]);
    close(owner[1]);
    throw;
  }
  close(listen_fd);
  close(owner[0]);
}

Manager::~Manager() {
  close(owner_pipe_);
  if (!server_->join(std::chrono::seconds(5))) server_->kill();
}

ManagerClient::ManagerClient(const std::string& socket_path,
                             std::chrono::milliseconds stall_limit)
    : stall_limit_(stall_limit) {
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw SystemError("socket");
  const sockaddr_un address = Address(socket_path);
  if (connect(fd_, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    const auto error = SystemError("connect");
    close(fd_);
    throw error;
  }
}

ManagerClient::~ManagerClient() { close(fd_); }

std::string ManagerClient::Request(const std::string& line) {
  const std::string request = line + "\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n =
        send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ManagerError(fmt::format("send: {}", strerror(errno)));
    sent += static_cast<std::size_t>(n);
  }
  // Polls in slices: a dead or stuck server ends in an error, not a hang.
  const auto since = Clock::now();
  for (;;) {
    const std::size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string reply = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return reply;
    }
    pollfd item{fd_, POLLIN, 0};
    if (poll(&item, 1, 10) > 0) {
      char buffer[4096];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0) throw ManagerError("the manager closed the connection");
      if (n < 0 && errno != EINTR && errno != EAGAIN)
        throw ManagerError(fmt::format("recv: {}", strerror(errno)));
      if (n > 0) pending_.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (Clock::now() - since > stall_limit_) {
      throw ManagerError(fmt::format("no reply from the manager within {} ms",
                                     stall_limit_.count()));
    }
  }
}

std::int64_t ManagerClient::Value(const std::string& line) {
  const std::string reply = Request(line);
  if (reply.rfind("OK", 0) != 0) throw ManagerError(reply);
  return reply.size() > 3 ? std::stoll(reply.substr(3)) : 0;
}

std::int64_t ManagerClient::append(std::int64_t value) {
  return Value(fmt::format("append {}", value));
}
std::int64_t ManagerClient::get(std::int64_t index) {
  return Value(fmt::format("get {}", index));
}
std::int64_t ManagerClient::len() { return Value("len"); }
void ManagerClient::set(std::int64_t key, std::int64_t value) {
  Value(fmt::format("set {} {}", key, value));
}
std::int64_t ManagerClient::lookup(std::int64_t key) {
  return Value(fmt::format("lookup {}", key));
}

}  // namespace concbench
