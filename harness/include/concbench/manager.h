// The seed's Manager(): a server process that owns a list and a dictionary
// of integers and answers requests from other processes over a Unix socket
// and, when asked, a TCP address, used through ManagerClient the way Python
// uses the manager's proxies. Like Python's BaseManager with its authkey,
// every connection proves that it holds the manager's key (HMAC-SHA256
// challenge and response, both ways) before anything is served.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "concbench/cleanup.h"
#include "concbench/process.h"

namespace concbench {

// A request the server refused (its "ERR ..." reply), a connection it
// refused (wrong key, a bound reached), a server that failed to prove it
// holds the key, or a server that is gone or stalled.
struct ManagerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How a client reaches the server.
enum class Transport { kUnix, kTcp };

// What one server may hold and how long a connection may take to
// authenticate; the server names the bound in each refusal.
struct ManagerLimits {
  std::size_t max_frame = 4096;  // bytes of one line, its '\n' included
  // Far above what a benchmark's loop stores in its seconds (a request takes
  // microseconds), and at most 128 MiB of items and about 200 MiB of keys.
  std::size_t max_list = std::size_t{1} << 24;  // items in the list
  std::size_t max_dict = std::size_t{1} << 22;  // keys in the dictionary
  std::size_t max_clients = 64;                 // connections at once
  // From accept to the end of the handshake; a connection that has not
  // authenticated by then is refused and closed.
  std::chrono::milliseconds auth_deadline{2000};
};

struct ManagerOptions {
  int cpu = -1;  // >= 0 pins the server to that CPU
  // "host:port" to listen on as well as the Unix socket ("127.0.0.1:0": the
  // loopback, an ephemeral port); nullopt: the Unix socket only.
  std::optional<std::string> tcp_address = std::nullopt;
  // The shared key (bytes); nullopt: 32 random bytes, as Python gives each
  // process a random authkey.
  std::optional<std::string> authkey = std::nullopt;
  ManagerLimits limits = {};
};

// Starts the server (a forked Process running a Boost.Asio loop) and waits
// until it listens. The server exits when this object is destroyed or when
// the owning process dies, even by SIGKILL (it watches a pipe that only the
// owner holds), and removes its socket file either way. Not copyable.
class Manager {
 public:
  // Throws std::invalid_argument for a TCP address that does not resolve,
  // std::system_error if a socket cannot listen.
  explicit Manager(ManagerOptions options);
  // A Unix socket only, a random key; `cpu` >= 0 pins the server.
  explicit Manager(int cpu = -1);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  const std::string& socket_path() const { return path_.str(); }
  // The TCP address with the port the kernel chose; empty without TCP.
  const std::string& tcp_address() const { return tcp_address_; }
  // Where a client of `transport` connects (empty: not served).
  const std::string& address(Transport transport) const;
  // The key clients must hold. Never log it.
  const std::string& authkey() const { return authkey_; }
  const ManagerLimits& limits() const { return limits_; }
  Process& server() { return *server_; }

 private:
  OwnedName path_;
  std::string tcp_address_;
  std::string authkey_;
  ManagerLimits limits_;
  int owner_pipe_ = -1;  // write end: its closing tells the server to stop
  std::optional<Process> server_;
};

// One authenticated connection to a Manager: the proxies of Manager().list()
// and .dict(). Line protocol after the handshake: "append V" -> "OK N",
// "get I" -> "OK V", "len" -> "OK N", "set K V" -> "OK", "lookup K" ->
// "OK V"; anything else -> "ERR reason". Connect in the process that uses it
// (after any fork). The constructor and each call wait at most `stall_limit`
// for a reply, then throw ManagerError.
class ManagerClient {
 public:
  // Connects to `address` (a socket path for kUnix, "host:port" for kTcp)
  // and authenticates with `authkey`. Throws ManagerError if the server
  // refuses the key or the connection, or cannot prove it holds the key.
  ManagerClient(Transport transport, const std::string& address,
                std::string_view authkey,
                std::chrono::milliseconds stall_limit =
                    std::chrono::milliseconds(10'000));
  // The same with the manager's own address and key.
  explicit ManagerClient(const Manager& manager,
                         Transport transport = Transport::kUnix,
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
  void Send(const std::string& line);
  std::string ReadLine();
  void Authenticate(std::string_view authkey);
  std::int64_t Value(const std::string& line);

  int fd_ = -1;
  std::chrono::milliseconds stall_limit_;
  std::string pending_;  // bytes read past the last reply
};

}  // namespace concbench
