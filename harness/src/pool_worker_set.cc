#include "pool_worker_set.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "concbench/cleanup.h"
#include "concbench/exit_code.h"
#include "concbench/process.h"

namespace concbench::internal {

void WorkerSet::Fork(int count, const std::function<void()>& body) {
  workers_.reserve(workers_.size() + count);  // no throw after a fork
  for (int i = 0; i < count; ++i) {
    const pid_t pid = ForkChild();
    if (pid == 0) body();
    workers_.push_back({pid, std::nullopt, nullptr});
  }
}

void WorkerSet::Serve(int count,
                      const std::function<PortableTarget()>& target) {
  workers_.reserve(workers_.size() + count);
  for (int i = 0; i < count; ++i) {
    auto served = std::make_unique<Process>(
        target(), StartMethod::kForkserver,
        "pool worker " + std::to_string(workers_.size()));
    served->start();
    const pid_t pid = served->pid();
    workers_.push_back({pid, std::nullopt, std::move(served)});
  }
}

bool WorkerSet::Settle(Worker& worker, bool block, std::string* lost) {
  try {
    if (block ? !worker.served->join() : worker.served->is_alive())
      return false;
    worker.exitcode = worker.served->exitcode();
  } catch (const std::runtime_error& e) {
    worker.exitcode = -SIGKILL;
    if (lost != nullptr) *lost = e.what();
  }
  return true;
}

std::vector<pid_t> WorkerSet::pids() const {
  std::vector<pid_t> pids;
  for (const Worker& worker : workers_) pids.push_back(worker.pid);
  return pids;
}

std::vector<pid_t> WorkerSet::live_pids() const {
  std::vector<pid_t> pids;
  for (const Worker& worker : workers_) {
    if (!worker.exitcode) pids.push_back(worker.pid);
  }
  return pids;
}

std::optional<WorkerSet::Ended> WorkerSet::ReapEnded() {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker& worker = workers_[i];
    if (worker.exitcode) continue;
    if (worker.served) {
      std::string lost;
      if (!Settle(worker, /*block=*/false, &lost)) continue;
      return Ended{i, worker.pid, *worker.exitcode, lost};
    }
    int status = 0;
    const pid_t got = waitpid(worker.pid, &status, WNOHANG);
    if (got == 0 || (got < 0 && errno != ECHILD)) continue;
    // ECHILD: already reaped, by the interrupt handler after its SIGKILL.
    if (got < 0) status = SIGKILL;
    Reaped(worker, status);
    return Ended{i, worker.pid, *worker.exitcode, {}};
  }
  return std::nullopt;
}

void WorkerSet::ReapAll() {
  for (Worker& worker : workers_) {
    if (worker.exitcode) continue;
    if (worker.served) {
      Settle(worker, /*block=*/true, nullptr);
      continue;
    }
    int status = 0;
    while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
    Reaped(worker, status);
  }
}

void WorkerSet::KillAll() {
  for (const Worker& worker : workers_) {
    if (worker.exitcode) continue;
    if (worker.served) {
      worker.served->kill();
    } else {
      ::kill(worker.pid, SIGKILL);
    }
  }
  ReapAll();
}

void WorkerSet::Reaped(Worker& worker, int status) {
  worker.exitcode = ExitCodeFromStatus(status);
  ForgetChild(worker.pid);
}

}  // namespace concbench::internal
