// The manager's server loop, run in the Manager's forked child.
#pragma once

#include <string>

#include "concbench/manager.h"

namespace concbench::internal {

// What the server serves and with which key and bounds.
struct ManagerServerConfig {
  int unix_fd = -1;   // the listening Unix socket
  int tcp_fd = -1;    // the listening TCP socket, or -1
  int owner_fd = -1;  // the owner pipe's read end: end-of-file means stop
  std::string socket_path = {};  // removed when the server stops
  std::string authkey = {};
  ManagerLimits limits = {};
};

// Serves until the owner pipe reports end-of-file, then removes the socket
// file. Takes the descriptors.
void RunManagerServer(const ManagerServerConfig& config);

}  // namespace concbench::internal
