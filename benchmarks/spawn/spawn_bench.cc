// spawn: what starting and stopping a ProcessPool costs, measured apart from
// dispatch so that start-up is never mistaken for per-task cost.
#include <memory>
#include <optional>

#include "concbench/process_pool.h"
#include "concbench/suite.h"
#include "concbench/verify.h"

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

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  for (int workers : config.WorkerCounts()) {
    specs.push_back(
        {Name("spawn", "process_pool_startup").Param("workers", workers).str(),
         [workers](benchmark::State& state) { PoolStartup(state, workers); },
         benchmark::kMicrosecond});
    specs.push_back(
        {Name("spawn", "process_pool_shutdown").Param("workers", workers).str(),
         [workers](benchmark::State& state) { PoolShutdown(state, workers); },
         benchmark::kMicrosecond});
  }
}

CONCBENCH_WORKLOAD(spawn, Register);

}  // namespace
}  // namespace concbench::spawn
