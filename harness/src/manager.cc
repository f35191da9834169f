#include "concbench/manager.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <vector>

#include "concbench/affinity.h"
#include "manager_auth.h"
#include "manager_server.h"
#include "manager_socket.h"

namespace concbench {
namespace {

// A socket file next to the other temporary files, named like every
// run-scoped object so the leak check finds it.
std::string SocketPath() {
  return (std::filesystem::temp_directory_path() /
          (UniqueObjectName() + ".sock"))
      .string();
}

// Closes every descriptor from 3 up except those in `keep`: the server must
// not hold another manager's owner pipe, or that one never sees EOF.
void CloseAllExcept(std::vector<int> keep) {
  std::erase_if(keep, [](int fd) { return fd < 3; });
  std::sort(keep.begin(), keep.end());
  unsigned low = 3;
  for (const int fd : keep) {
    if (static_cast<unsigned>(fd) > low)
      close_range(low, static_cast<unsigned>(fd) - 1, 0);
    low = static_cast<unsigned>(fd) + 1;
  }
  close_range(low, ~0U, 0);
}

void CloseAll(const std::vector<int>& fds) {
  for (const int fd : fds)
    if (fd >= 0) close(fd);
}

}  // namespace

Manager::Manager(int cpu) : Manager(ManagerOptions{.cpu = cpu}) {}

Manager::Manager(ManagerOptions options)
    : path_(NameKind::kFile, SocketPath()),
      authkey_(options.authkey
                   ? std::move(*options.authkey)
                   : internal::RandomBytes(internal::kGeneratedKeyBytes)),
      limits_(options.limits) {
  // Listening before the fork: a client may connect as soon as this returns,
  // and the owner learns the TCP port the kernel chose.
  internal::ManagerServerConfig config{
      .socket_path = path_.str(), .authkey = authkey_, .limits = limits_};
  config.unix_fd = internal::ListenUnix(path_.str());
  if (options.tcp_address) {
    try {
      internal::TcpListener tcp = internal::ListenTcp(*options.tcp_address);
      config.tcp_fd = tcp.fd;
      tcp_address_ = std::move(tcp.address);
    } catch (...) {
      close(config.unix_fd);
      throw;
    }
  }
  int owner[2];
  if (pipe2(owner, O_CLOEXEC) != 0) {
    const std::system_error error(errno, std::generic_category(), "pipe");
    CloseAll({config.unix_fd, config.tcp_fd});
    throw error;
  }
  owner_pipe_ = owner[1];
  config.owner_fd = owner[0];
  const int cpu = options.cpu;
  server_.emplace(
      [config, cpu] {
        CloseAllExcept({config.unix_fd, config.tcp_fd, config.owner_fd});
        // The pipe, not SIGKILL with the parent, ends the server: it must
        // live long enough after its owner's death to remove the socket.
        prctl(PR_SET_PDEATHSIG, 0);
        if (cpu >= 0) PinThisThread(cpu);
        internal::RunManagerServer(config);
      },
      "manager");
  try {
    server_->start();
  } catch (...) {
    CloseAll({config.unix_fd, config.tcp_fd, owner[0], owner[1]});
    throw;
  }
  CloseAll({config.unix_fd, config.tcp_fd, owner[0]});
}

Manager::~Manager() {
  close(owner_pipe_);
  if (!server_->join(std::chrono::seconds(5))) server_->kill();
}

const std::string& Manager::address(Transport transport) const {
  return transport == Transport::kTcp ? tcp_address_ : path_.str();
}

}  // namespace concbench
