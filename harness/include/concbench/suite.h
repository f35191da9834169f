// The suite: workloads register their benchmarks here under contract names
// (<workload>/<variant>/<key>:<value>/...), and main filters and runs them.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace concbench {

// full: the real sizes; quick: a short run (CI, a first look); smoke: tiny
// sizes, only to check that every benchmark runs and verifies.
enum class SuiteMode { kFull, kQuick, kSmoke };
std::string_view ModeName(SuiteMode mode);

struct SuiteConfig {
  SuiteMode mode = SuiteMode::kFull;
  int cores = 1;             // logical CPUs this process may use
  std::vector<int> workers;  // --workers; empty: the defaults below
  // Worker counts to sweep: 1, 2, ... up to twice the cores.
  std::vector<int> WorkerCounts() const;
  // A short sweep for costly or secondary benchmarks: 1 and the cores.
  std::vector<int> FewWorkerCounts() const;
  // Picks the size for the current mode.
  // --set workload.key=value overrides, read by the workloads through
  // Setting; BuildSuite rejects any that no workload read.
  std::map<std::string, std::string> settings;
  mutable std::set<std::string> settings_read;

  // The integer setting `key` ("sleep_io.tasks"), or `fallback` when not set.
  // Throws std::invalid_argument with a one-line message when the value is
  // not a whole number in [min, max].
  std::int64_t Setting(const std::string& key, std::int64_t fallback,
                       std::int64_t min, std::int64_t max) const;

  std::int64_t Size(std::int64_t full, std::int64_t quick,
                    std::int64_t smoke) const;
};

struct BenchmarkSpec {
  std::string name;
  std::function<void(benchmark::State&)> run;
  benchmark::TimeUnit unit = benchmark::kMillisecond;
  // Wall time: CPU time never counts threads' or children's work.
  bool real_time = true;
  // Iterations per repetition when fixed; 0: Google Benchmark grows them until
  // one repetition lasts --benchmark_min_time. Fixing them spares its probing
  // runs (1, 10, ... iterations, each thrown away) where every iteration is a
  // long, complete round of its own.
  std::int64_t iterations = 0;
};

using WorkloadRegistrar = void (*)(const SuiteConfig&,
                                   std::vector<BenchmarkSpec>&);

// Adds a workload; call through CONCBENCH_WORKLOAD at namespace scope.
bool AddWorkload(std::string_view workload, WorkloadRegistrar registrar);

// Every benchmark of every registered workload, in registration order.
// Throws std::invalid_argument for a setting no workload knows, or one that
// a workload rejects.
std::vector<BenchmarkSpec> BuildSuite(const SuiteConfig& config);

// Builds a contract name: Name("sum_squares", "threads").Param("workers", 2).
class Name {
 public:
  Name(std::string_view workload, std::string_view variant);
  Name& Param(std::string_view key, std::string_view value);
  Name& Param(std::string_view key, std::int64_t value);
  const std::string& str() const { return name_; }

 private:
  std::string name_;
};

enum class WarmUp { kYes, kNo };

// Every benchmark's timed loop: runs `body` once untimed (unless kNo: a body
// that calls PauseTiming cannot run outside the loop), then once per
// iteration. An exception from `body` fails the run with its message
// (SkipWithError) and ends the loop; returns false then. The loop is also where
// the test-only
// --test_slowdown option stretches chosen benchmarks.
template <class Body>
bool TimedLoop(benchmark::State& state, Body&& body,
               WarmUp warm_up = WarmUp::kYes);

namespace internal {
// The factor by which the running benchmark is stretched (1: none).
double& TestSlowdown();
void StretchSince(std::int64_t start_ns);
std::int64_t NowNs();
}  // namespace internal

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
  for (auto _ : state) {
    // A failed warm-up is reported inside the loop (see FailBeforeLoop).
    if (!warm_up_error.empty()) {
      state.SkipWithError(warm_up_error.c_str());
      return false;
    }
    const std::int64_t start = stretch ? internal::NowNs() : 0;
    try {
      body();
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return false;
    }
    if (stretch) internal::StretchSince(start);
  }
  return true;
}

}  // namespace concbench

#define CONCBENCH_WORKLOAD(workload, registrar)     \
  static const bool concbench_workload_##workload = \
      ::concbench::AddWorkload(#workload, registrar)
