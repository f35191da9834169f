// The manager's sockets: a Unix socket file and a TCP "host:port", listening
// (the Manager, before it forks its server) and connected (a client).
#pragma once

#include <chrono>
#include <string>

namespace concbench::internal {

// A listening Unix stream socket bound at `path` (close-on-exec). Throws
// std::system_error, or std::invalid_argument for a path that is too long.
int ListenUnix(const std::string& path);

// A listening TCP socket on `host_port` ("host:port", "[v6]:port"; an empty
// host is 127.0.0.1, port 0 an ephemeral one) and the address it got, with
// the port the kernel chose. Throws std::invalid_argument for an address
// that does not parse or resolve, std::system_error if bind/listen fail.
struct TcpListener {
  int fd;
  std::string address;
};
TcpListener ListenTcp(const std::string& host_port);

// A connected stream socket (close-on-exec; TCP with TCP_NODELAY). connect
// waits at most `limit`. Throws std::system_error, or std::invalid_argument
// for an address that does not parse or resolve.
int ConnectUnix(const std::string& path, std::chrono::milliseconds limit);
int ConnectTcp(const std::string& host_port, std::chrono::milliseconds limit);

}  // namespace concbench::internal
