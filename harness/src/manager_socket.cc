#include "manager_socket.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace concbench::internal {
namespace {

// Throws errno's error after closing `fd`.
[[noreturn]] void Fail(int fd, const std::string& what) {
  const int error = errno;
  if (fd >= 0) close(fd);
  throw std::system_error(error, std::generic_category(), what);
}

sockaddr_un UnixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path))
    throw std::invalid_argument("socket path too long: " + path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

struct FreeAddrinfo {
  void operator()(addrinfo* list) const { freeaddrinfo(list); }
};
using Resolved = std::unique_ptr<addrinfo, FreeAddrinfo>;

// "host:port" resolved (numeric port; the first address getaddrinfo gives).
Resolved Resolve(const std::string& host_port, bool passive) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon + 1 == host_port.size())
    throw std::invalid_argument("manager address '" + host_port +
                                "': expected host:port");
  std::string host = host_port.substr(0, colon);
  const std::string port = host_port.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* list = nullptr;
  const int status = getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  if (status != 0)
    throw std::invalid_argument("manager address '" + host_port +
                                "': " + gai_strerror(status));
  return Resolved(list);
}

std::string Format(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof(host));
    return fmt::format("[{}]:{}", host, ntohs(v6.sin6_port));
  }
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
  inet_ntop(AF_INET, &v4.sin_addr, host, sizeof(host));
  return fmt::format("{}:{}", host, ntohs(v4.sin_port));
}

void SetOption(int fd, int level, int name, const void* value, socklen_t size) {
  if (setsockopt(fd, level, name, value, size) != 0) Fail(fd, "setsockopt");
}

// connect(2) bounded by `limit` (Linux applies SO_SNDTIMEO to it).
void ConnectWithin(int fd, const sockaddr* address, socklen_t size,
                   std::chrono::milliseconds limit, const std::string& what) {
  timeval timeout{};
  timeout.tv_sec = static_cast<time_t>(limit.count() / 1000);
  timeout.tv_usec = static_cast<suseconds_t>(limit.count() % 1000 * 1000);
  SetOption(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  int status;
  do {
    status = connect(fd, address, size);
  } while (status != 0 && errno == EINTR);
  if (status != 0) Fail(fd, "connect " + what);
  const timeval none{};
  SetOption(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
}

}  // namespace

int ListenUnix(const std::string& path) {
  const sockaddr_un address = UnixAddress(path);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail(fd, "socket");
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
          0 ||
      listen(fd, 64) != 0)
    Fail(fd, "bind/listen " + path);
  return fd;
}

TcpListener ListenTcp(const std::string& host_port) {
  const Resolved list = Resolve(host_port, true);
  const int fd = socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail(fd, "socket");
  const int on = 1;
  SetOption(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (bind(fd, list->ai_addr, list->ai_addrlen) != 0 || listen(fd, 64) != 0)
    Fail(fd, "bind/listen " + host_port);
  sockaddr_storage bound{};
  socklen_t size = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size) != 0)
    Fail(fd, "getsockname");
  return {fd, Format(bound)};
}

int ConnectUnix(const std::string& path, std::chrono::milliseconds limit) {
  const sockaddr_un address = UnixAddress(path);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail(fd, "socket");
  ConnectWithin(fd, reinterpret_cast<const sockaddr*>(&address),
                sizeof(address), limit, path);
  return fd;
}

int ConnectTcp(const std::string& host_port, std::chrono::milliseconds limit) {
  const Resolved list = Resolve(host_port, false);
  const int fd = socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail(fd, "socket");
  ConnectWithin(fd, list->ai_addr, list->ai_addrlen, limit, host_port);
  const int on = 1;
  SetOption(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  return fd;
}

}  // namespace concbench::internal
