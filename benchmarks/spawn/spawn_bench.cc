// spawn: what starting a thread, a process or a ProcessPool costs, measured
// apart from dispatch so that start-up is never mistaken for per-task cost.
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include "concbench/process.h"
#include "concbench/process_pool.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "spawn/child_exit.h"

extern char** environ;

namespace concbench::spawn {
namespace {

std::int32_t Echo(std::int32_t value) { return value; }

// Start-up: the constructor (segment + a fork per worker) until a first
// trivial task has made the round trip, so the workers really run.
// Shut-down: close() + join() + the destructor (unmap, remove the segment).
void PoolStartup(benchmark::State& state, int workers) {
  TimedLoop(
      state,
      [&] {
        ProcessPool pool(workers);
        if (pool.apply(&Echo, 7) != 7)
          throw std::runtime_error("echo returned the wrong value");
        state.PauseTiming();
        pool.close();
        pool.join();
        state.ResumeTiming();
      },
      WarmUp::kNo);
  state.counters["workers"] = workers;
}

void PoolShutdown(benchmark::State& state, int workers) {
  std::optional<ProcessPool> pool;
  TimedLoop(
      state,
      [&] {
        state.PauseTiming();
        pool.emplace(workers);
        if (pool->apply(&Echo, 7) != 7)
          throw std::runtime_error("echo returned the wrong value");
        state.ResumeTiming();
        pool->close();
        pool->join();
        pool.reset();
      },
      WarmUp::kNo);
  state.counters["workers"] = workers;
}

// std::thread create + join of an empty body.
void ThreadStartJoin(benchmark::State& state) {
  int ran = 0;
  TimedLoop(state, [&] { std::thread([&ran] { ++ran; }).join(); });
  Verify(state, "threads that ran", ran,
         static_cast<int>(state.iterations()) + 1);
}

// Process start + join (the fork start method), child returning at once.
void ProcessStartJoin(benchmark::State& state) {
  TimedLoop(state, [] {
    Process child([] {});
    child.start();
    child.join();
    if (child.exitcode() != 0) {
      throw std::runtime_error("the child " +
                               internal::DescribeExitCode(*child.exitcode()));
    }
  });
}

// The spawn start method: posix_spawn of a fresh copy of this binary, which
// exits at the top of main (kChildExitFlag), then waitpid.
void SpawnSelfJoin(benchmark::State& state) {
  TimedLoop(state, [] {
    char self[] = "/proc/self/exe";
    char flag[64];
    std::snprintf(flag, sizeof(flag), "%s", kChildExitFlag);
    char* argv[] = {self, flag, nullptr};
    pid_t pid = 0;
    const int error = posix_spawn(&pid, self, nullptr, nullptr, argv, environ);
    if (error != 0)
      throw std::system_error(error, std::generic_category(), "posix_spawn");
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (internal::ExitCodeFromStatus(status) != 0) {
      throw std::runtime_error(
          "the spawned copy " +
          internal::DescribeExitCode(internal::ExitCodeFromStatus(status)));
    }
  });
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  auto add = [&specs](Name name, std::function<void(benchmark::State&)> run) {
    specs.push_back({.name = std::move(name),
                     .run = std::move(run),
                     .metric = Metric::RealTime(MetricKind::kLatency),
                     .unit = benchmark::kMicrosecond});
  };
  add(Name("spawn", "thread_start_join"), &ThreadStartJoin);
  add(Name("spawn", "process_start_join"), &ProcessStartJoin);
  add(Name("spawn", "spawn_self_join"), &SpawnSelfJoin);
  for (int workers : config.WorkerCounts()) {
    add(Name("spawn", "process_pool_startup").Param("workers", workers),
        [workers](benchmark::State& state) { PoolStartup(state, workers); });
    add(Name("spawn", "process_pool_shutdown").Param("workers", workers),
        [workers](benchmark::State& state) { PoolShutdown(state, workers); });
  }
}

CONCBENCH_WORKLOAD(spawn, Register);

}  // namespace
}  // namespace concbench::spawn
