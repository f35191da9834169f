// The worker processes of a ProcessPool, seen from the parent. Used by
// process_pool.cc alone (internal to the pool).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "concbench/process.h"

namespace concbench::internal {

// Forks the workers, tells which ended, kills them and reaps each exactly
// once (a reaped worker is forgotten by the interrupt cleanup). Used from the
// owning thread only. Reaps nothing on destruction: the owner ends them.
class WorkerSet {
 public:
  // A worker that ended: its index in start order, pid and exit code
  // (ExitCodeFromStatus); `lost` says how the forkserver died when it took
  // a served worker with it (exitcode is then -SIGKILL).
  struct Ended {
    std::size_t index;
    pid_t pid;
    int exitcode;
    std::string lost;
  };

  WorkerSet() = default;
  WorkerSet(const WorkerSet&) = delete;
  WorkerSet& operator=(const WorkerSet&) = delete;

  // Forks `count` more workers, each running `body`, which must not return.
  // Throws std::system_error when a fork fails; the workers forked before it
  // stay in the set.
  void Fork(int count, const std::function<void()>& body);
  // Starts `count` more workers as children of the forkserver, each running
  // `target()`. Throws as Process::start does; the workers started before
  // stay in the set.
  void Serve(int count, const std::function<PortableTarget()>& target);

  std::size_t size() const { return workers_.size(); }
  // Every worker's pid, in fork order, reaped or not.
  std::vector<pid_t> pids() const;
  // The pids of the workers not yet reaped.
  std::vector<pid_t> live_pids() const;

  // Reaps, without waiting, the first live worker that has ended; nullopt
  // when none has.
  std::optional<Ended> ReapEnded();
  // Waits for every live worker to end and reaps it.
  void ReapAll();
  // SIGKILLs every live worker, then reaps them all.
  void KillAll();

 private:
  struct Worker {
    pid_t pid;
    std::optional<int> exitcode;
    // A forkserver child (the server reaps it): its Process, else null.
    std::unique_ptr<Process> served;
  };

  void Reaped(Worker& worker, int status);
  // Settles a served worker: true once it has ended (exitcode set); a dead
  // forkserver's words go to `lost`.
  static bool Settle(Worker& worker, bool block, std::string* lost);

  std::vector<Worker> workers_;
};

}  // namespace concbench::internal
