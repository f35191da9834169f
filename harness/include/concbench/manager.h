// The seed's Manager(): a server process that owns a list and a dictionary
// of integers and answers requests from other processes over a Unix socket,
// used through ManagerClient the way Python uses the manager's proxies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "concbench/cleanup.h"
#include "concbench/process.h"

namespace concbench {

// A request the server refused (its "ERR ..." reply), or a server that is
// gone or stalled.
struct ManagerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Starts the server (a forked Process running a Boost.Asio loop) and waits
// until it listens. The server exits when this object is destroyed or when
// the owning process dies, even by SIGKILL (it watches a pipe that only the
// owner holds), and removes its socket file either way. Not copyable.
class Manager {
 public:
  // `cpu` >= 0 pins the server to that CPU.
  explicit Manager(int cpu = -1);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  const std::string& socket_path() const { return path_.str(); }
  Process& server() { return *server_; }

 private:
  OwnedName path_;
  int owner_pipe_ = -1;  // write end: its closing tells the server to stop
  std::optional<Process> server_;
};

// One connection to a Manager: the proxies of Manager().list() and .dict().
// Line protocol: "append V" -> "OK N", "get I" -> "OK V", "len" -> "OK N",
// "set K V" -> "OK", "lookup K" -> "OK V"; anything else -> "ERR reason".
// Connect in the process that uses it (after any fork). Each call waits at
// most `stall_limit` for the reply, then throws ManagerError.
class ManagerClient {
 public:
  explicit ManagerClient(const std::string& socket_path,
                         std::chrono::milliseconds stall_limit =
                             std::chrono::milliseconds(10'000));
  ~ManagerClient();
  ManagerClient(const ManagerClient&) = delete;
  ManagerClient& operator=(const ManagerClient&) = delete;

  std::int64_t append(std::int64_t value);  // returns the new length
  std::int64_t get(std::int64_t index);  // throws ManagerError if out of range
  std::int64_t len();
  void set(std::int64_t key, std::int64_t value);
  std::int64_t lookup(std::int64_t key);  // throws ManagerError if missing

  // Sends one raw line (without '\n') and returns the raw reply line: for
  // tests of the server's handling of malformed requests.
  std::string Request(const std::string& line);

 private:
  std::int64_t Value(const std::string& line);

  int fd_ = -1;
  std::chrono::milliseconds stall_limit_;
  std::string pending_;  // bytes read past the last reply
};

namespace internal {
// The server's loop: serves the listening socket `listen_fd` until
// `owner_fd` reports end-of-file, then removes `socket_path`. Takes both fds.
void RunManagerServer(int listen_fd, const std::string& socket_path,
                      int owner_fd);
}  // namespace internal

}  // namespace concbench
