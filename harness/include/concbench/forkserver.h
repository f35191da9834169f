// The forkserver start method, as CPython's: a small server process, started
// before the benchmark parent grows, forks the children it is asked for and
// reports each one's pid and exit status back. A fork of the small server
// copies a few page tables instead of the parent's; the request's round trip
// is the price.
//
// Lifetime: the server dies with the process that started it
// (PR_SET_PDEATHSIG), and its children die with it, so a dead benchmark
// parent leaves no child behind. A server that dies while in use is an error
// naming it and how it ended, never a hang. The server is killed and reaped
// when this process exits or is interrupted (cleanup.h).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace concbench {

// Starts the forkserver now, from the calling (still small) process, unless
// it already runs. Call first thing in main, from the main thread (the
// server dies with the thread that forked it). Without this call the first
// forkserver start does it, from whatever size the process has grown to.
// Throws std::system_error when the server cannot be started.
void StartForkserver();

namespace internal {

// A plain function of this binary: its address is valid in the server,
// which is a fork of this process image.
using ForkserverEntry = void (*)(std::span<const std::byte> args);

// The largest name + args a request carries.
inline constexpr std::size_t kMaxForkserverRequest = 16 * 1024;

// A child the server forked: its pid and the socket on which the server
// writes how it ended (its exit code and the CPU time its wait4 measured),
// then closes; end of file before it means the server died.
struct ForkserverChild {
  pid_t pid;
  int status_fd;  // owned by the caller; close-on-exec
};

// Asks the server (started if need be) to fork a child that runs
// entry(args) and exits as Process does (0, 1 on an exception printed with
// `name`). Thread-safe. Throws std::invalid_argument when name + args
// exceed kMaxForkserverRequest, std::runtime_error naming the server and
// how it ended when it is gone, std::system_error when its fork failed.
ForkserverChild ForkserverFork(ForkserverEntry entry, std::string_view name,
                               std::span<const std::byte> args);

// Waits for a child's exit code on its status socket; nothing when the
// server died first. Adds the child's CPU time to this process tree's
// (cpu_time.h), as this process's own reaping would (RUSAGE_CHILDREN).
std::optional<int> ReadForkserverStatus(int status_fd);

// The server's pid, or -1 when none was started (for tests).
pid_t ForkserverPid();

// Kills and reaps this process's server (its children die with it); the
// next request starts a new one. For tests, which must leave no child.
void StopForkserver();

// Words for a server that closed a child's socket without its status:
// "the forkserver (pid N) was killed by signal 9 (Killed)". Reaps the server
// (waiting up to a second for it to end); later requests fail with them.
std::string ForkserverLoss();

}  // namespace internal
}  // namespace concbench
