// spawn: what starting a thread, a process, a ProcessPool or another model's
// workers costs, measured apart from dispatch (and from teardown) so that
// start-up is never mistaken for per-task cost.
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <thread>

#include "concbench/child_entry.h"
#include "concbench/executor.h"
#include "concbench/exit_code.h"
#include "concbench/floors.h"
#include "concbench/process.h"
#include "concbench/process_pool.h"
#include "concbench/start_method.h"
#include "concbench/suite.h"
#include "concbench/verify.h"

extern char** environ;

namespace concbench::spawn {
namespace {

std::int32_t Echo(std::int32_t value) { return value; }

ProcessPool::Options StartedBy(StartMethod start) {
  ProcessPool::Options options;
  options.start = start;
  return options;
}

// Start-up: the constructor (segment + a start per worker) until a first
// trivial task has made the round trip, so the workers really run. The
// teardown (close, join, the destructor) is paused: it is shut-down's figure.
void PoolStartup(benchmark::State& state, int workers, StartMethod start) {
  std::optional<ProcessPool> pool;
  TimedLoop(
      state,
      [&] {
        pool.emplace(workers, StartedBy(start));
        if (pool->apply(&Echo, 7) != 7)
          throw std::runtime_error("echo returned the wrong value");
        PausedTiming paused(state);
        pool->close();
        pool->join();
        pool.reset();
      },
      WarmUp::kNo);
  state.counters["workers"] = workers;
}

// Shut-down: close() + join() + the destructor (unmap, remove the segment).
void PoolShutdown(benchmark::State& state, int workers, StartMethod start) {
  std::optional<ProcessPool> pool;
  TimedLoop(
      state,
      [&] {
        {
          PausedTiming paused(state);
          pool.emplace(workers, StartedBy(start));
          if (pool->apply(&Echo, 7) != 7)
            throw std::runtime_error("echo returned the wrong value");
        }
        pool->close();
        pool->join();
        pool.reset();
      },
      WarmUp::kNo);
  state.counters["workers"] = workers;
}

// Start-up of a map variant that starts its workers at set-up (task_queue's
// processes, Asio's thread_pool, a oneTBB arena): MakeExecutor until a first
// map of `workers` trivial tasks has come back. The teardown is paused.
// oneTBB keeps its threads in a global pool once started, so after the first
// repetition its figure is an arena's start-up on threads already running.
void ExecutorStartup(benchmark::State& state, const VariantInfo& variant,
                     int workers) {
  const std::vector<std::int32_t> inputs(workers, 7);
  std::vector<std::int32_t> results(inputs.size());
  std::unique_ptr<Executor> executor;
  TimedLoop(
      state,
      [&] {
        executor = MakeExecutor(variant, {workers, 0});
        Map(*executor, &Echo, std::span<const std::int32_t>(inputs),
            std::span<std::int32_t>(results));
        PausedTiming paused(state);
        executor.reset();
        if (std::count(results.begin(), results.end(), 7) != workers)
          throw std::runtime_error("echo returned the wrong value");
        std::fill(results.begin(), results.end(), 0);
      },
      WarmUp::kNo);
  state.counters["workers"] = workers;
}

// std::thread create + join of a body that only marks that it ran.
void ThreadStartJoin(benchmark::State& state) {
  TimedLoop(state, [] {
    bool ran = false;
    std::thread([&ran] { ran = true; }).join();
    if (!ran) throw std::runtime_error("the thread did not run");
  });
}

void ReturnAtOnce(std::span<const std::byte>) {}

// Process start + join with `method`, the child returning at once. The
// forkserver's server runs already (main starts it), as CPython's does
// before its timed loop.
void ProcessStartJoin(benchmark::State& state, StartMethod method) {
  TimedLoop(state, [method] {
    Process child(PortableTarget{&ReturnAtOnce}, method);
    child.start();
    child.join();
    if (child.exitcode() != 0) {
      throw std::runtime_error("the child " +
                               DescribeExitCode(*child.exitcode()));
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
    if (ExitCodeFromStatus(status) != 0) {
      throw std::runtime_error("the spawned copy " +
                               DescribeExitCode(ExitCodeFromStatus(status)));
    }
  });
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  auto add = [&specs](Name name, std::function<void(benchmark::State&)> run,
                      std::string floor = {},
                      std::map<std::string, std::string> traits = {}) {
    specs.push_back({.name = std::move(name),
                     .run = std::move(run),
                     .metric = Metric::RealTime(MetricKind::kLatency),
                     .unit = benchmark::kMicrosecond,
                     .traits = std::move(traits),
                     .floor = std::move(floor)});
  };
  auto started_by = [](StartMethod method) {
    return std::map<std::string, std::string>{
        {"start_method", std::string(StartMethodName(method))}};
  };
  add(Name("spawn", "thread_start_join"), &ThreadStartJoin,
      floors::ThreadCreateJoin().str());
  // Both against the bare fork of a small process.
  for (StartMethod method : {StartMethod::kFork, StartMethod::kForkserver}) {
    Name name("spawn", "process_start_join");
    add(
        std::move(ParamStart(name, method)),
        [method](benchmark::State& state) { ProcessStartJoin(state, method); },
        floors::ForkExitWait().str(), started_by(method));
  }
  add(Name("spawn", "spawn_self_join"), &SpawnSelfJoin,
      floors::PosixSpawnWait().str(), started_by(StartMethod::kSpawn));
  // Quick mode keeps 1 worker and the cores; full mode sweeps.
  const std::vector<int> counts = config.mode == SuiteMode::kFull
                                      ? config.WorkerCounts()
                                      : config.FewWorkerCounts();
  for (int workers : counts) {
    for (StartMethod start : {StartMethod::kFork, StartMethod::kForkserver}) {
      auto named = [&](const char* variant) {
        Name name("spawn", variant);
        return ParamStart(name.Param("workers", workers), start);
      };
      add(
          named("process_pool_startup"),
          [workers, start](benchmark::State& state) {
            PoolStartup(state, workers, start);
          },
          {}, started_by(start));
      add(
          named("process_pool_shutdown"),
          [workers, start](benchmark::State& state) {
            PoolShutdown(state, workers, start);
          },
          {}, started_by(start));
    }
    // The other models that start workers at set-up (the process pool
    // variants share ProcessPool's start-up above).
    for (const char* model : {"task_queue", "thread_pool", "tbb"}) {
      const VariantInfo& variant = FindVariant(model);
      add(Name("spawn", fmt::format("{}_startup", model))
              .Param("workers", workers),
          [&variant, workers](benchmark::State& state) {
            ExecutorStartup(state, variant, workers);
          });
    }
  }
}

CONCBENCH_WORKLOAD(spawn, Register);

}  // namespace
}  // namespace concbench::spawn
