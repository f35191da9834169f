// The suite: workloads register their benchmarks here under contract names
// (<workload>/<variant>/<key>:<value>/...), and main filters and runs them.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concbench/clock.h"
#include "concbench/contain.h"
#include "concbench/metric.h"
#include "concbench/name.h"
#include "concbench/settings.h"

namespace concbench {

// full: the real sizes; quick: a short run (CI, a first look); smoke: tiny
// sizes, only to check that every benchmark runs and verifies.
enum class SuiteMode { kFull, kQuick, kSmoke };
std::string_view ModeName(SuiteMode mode);
// The value among `full`, `quick` and `smoke` that `mode` picks.
std::int64_t ForMode(SuiteMode mode, std::int64_t full, std::int64_t quick,
                     std::int64_t smoke);

struct SuiteConfig {
  SuiteMode mode = SuiteMode::kFull;
  int cores = 1;             // logical CPUs this process may use
  std::vector<int> workers;  // --workers; empty: the defaults below
  // Worker counts to sweep: 1, 2, ... up to twice the cores.
  std::vector<int> WorkerCounts() const;
  // A short sweep for costly or secondary benchmarks: 1 and the cores.
  std::vector<int> FewWorkerCounts() const;
  // --set workload.key=value overrides of declared settings (settings.h);
  // BuildSuite rejects unknown keys and out-of-range values.
  std::map<std::string, std::string> settings;

  // The declared setting `key` ("sleep_io.tasks") for this mode, or its
  // override. Throws as SettingValue does.
  std::int64_t Setting(std::string_view key) const;
  // Whether --set gave `key`.
  bool IsSet(std::string_view key) const;

  // Picks a size for the current mode (for sizes that are not settings).
  std::int64_t Size(std::int64_t full, std::int64_t quick,
                    std::int64_t smoke) const;
};

struct BenchmarkSpec {
  Name name;
  std::function<void(benchmark::State&)> run;
  // The one figure the benchmark is judged by; every benchmark declares it
  // (BuildSuite rejects a spec whose metric has no name).
  Metric metric;
  benchmark::TimeUnit unit = benchmark::kMillisecond;
  // Wall time: CPU time never counts threads' or children's work.
  bool real_time = true;
  // The body reports each iteration's time (State::SetIterationTime): a time
  // measured in another process, or the time per update of a time box whose
  // wall time is fixed by design; overrides real_time.
  bool manual_time = false;
  // Iterations per repetition when fixed; 0: Google Benchmark grows them until
  // one repetition lasts --benchmark_min_time. Fixing them spares its probing
  // runs (1, 10, ... iterations, each thrown away) where every iteration is a
  // long, complete round of its own.
  std::int64_t iterations = 0;
  // Facts about what runs (e.g. a map variant's runs_in, start_method), from
  // the concept's traits table; --list=json and the result JSON carry them.
  std::map<std::string, std::string> traits = {};
  // The name of the limits benchmark that is this one's floor; empty: none.
  std::string floor = {};
};

using WorkloadRegistrar = void (*)(const SuiteConfig&,
                                   std::vector<BenchmarkSpec>&);

// Adds a workload and declares its settings; call through CONCBENCH_WORKLOAD
// at namespace scope.
bool AddWorkload(std::string_view workload, WorkloadRegistrar registrar,
                 std::span<const SettingInfo> settings = {});

// Every benchmark of every registered workload, in registration order.
// Throws std::invalid_argument for a setting no workload knows, or one that
// a workload rejects.
std::vector<BenchmarkSpec> BuildSuite(const SuiteConfig& config);

enum class WarmUp { kYes, kNo };

// Every benchmark's timed loop: runs `body` once untimed (unless kNo: where
// one run is costly or start-up is what is measured), then once per
// iteration. An exception from `body` fails the run with its message
// (SkipWithError) and ends the loop; returns false then. Reports the counter
// `cpu_seconds`: CPU of the whole process tree (ProcessTreeCpuSeconds) per
// iteration, over the loop's running parts. The loop is also where the
// test-only --test_slowdown option stretches chosen benchmarks.
template <class Body>
bool TimedLoop(benchmark::State& state, Body&& body,
               WarmUp warm_up = WarmUp::kYes);

// Test-only: stretches the timed loops that run from now on by `factor`
// (1: none), so that tests can fake a slower build.
void SetTestSlowdown(double factor);

namespace internal {
// The factor by which the running benchmark is stretched (1: none).
double& TestSlowdown();
void StretchSince(std::int64_t start_ns);

// The process tree's CPU seconds over the running parts of a loop.
class CpuMeter {
 public:
  void Start();
  void Stop();
  double seconds() const { return seconds_; }

 private:
  double started_ = 0;
  double seconds_ = 0;
};
// The meter of the TimedLoop that runs now (null outside one).
CpuMeter*& ActiveCpuMeter();
}  // namespace internal

// Pauses the timer (Google Benchmark's, and the running TimedLoop's CPU
// count) for its lifetime. Use it instead of State::PauseTiming inside a
// TimedLoop body; in the untimed warm-up run it does nothing. Pausing costs
// a few microseconds of wall time per pair of calls, of which the timer sees
// about one clock read, a fixed cost per iteration.
class PausedTiming {
 public:
  explicit PausedTiming(benchmark::State& state);
  ~PausedTiming();
  PausedTiming(const PausedTiming&) = delete;
  PausedTiming& operator=(const PausedTiming&) = delete;

 private:
  benchmark::State& state_;
  internal::CpuMeter* meter_;
};

template <class Body>
bool TimedLoop(benchmark::State& state, Body&& body, WarmUp warm_up) {
  const bool stretch = internal::TestSlowdown() != 1.0;
  // One untimed warm-up run: after a fork (this run's pool, or the previous
  // benchmark's children) the parent's pages are copy-on-write, and the
  // first write to each costs a page fault that belongs to no benchmark.
  std::string warm_up_error;
  try {
    if (warm_up == WarmUp::kYes) body();
  } catch (const std::exception& e) {
    warm_up_error = e.what();
  }
  internal::CpuMeter meter;
  internal::ActiveCpuMeter() = &meter;
  meter.Start();
  bool ok = true;
  internal::CurrentLoopStage() = internal::LoopStage::kRunning;
  for (auto _ : state) {
    // A failed warm-up is reported inside the loop (see FailBeforeLoop).
    if (!warm_up_error.empty()) {
      state.SkipWithError(warm_up_error.c_str());
      ok = false;
      break;
    }
    const std::int64_t start = stretch ? NowNs() : 0;
    try {
      body();
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      ok = false;
      break;
    }
    if (stretch) internal::StretchSince(start);
  }
  internal::CurrentLoopStage() = internal::LoopStage::kDone;
  meter.Stop();
  internal::ActiveCpuMeter() = nullptr;
  if (ok && state.iterations() > 0) {
    state.counters["cpu_seconds"] =
        meter.seconds() / static_cast<double>(state.iterations());
  }
  return ok;
}

}  // namespace concbench

// CONCBENCH_WORKLOAD(name, Register) or CONCBENCH_WORKLOAD(name, Register,
// kSettings) with kSettings an array of SettingInfo.
#define CONCBENCH_WORKLOAD(workload, ...)           \
  static const bool concbench_workload_##workload = \
      ::concbench::AddWorkload(#workload, __VA_ARGS__)
