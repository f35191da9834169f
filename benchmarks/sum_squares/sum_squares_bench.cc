// sum_squares in every map variant: is a pool faster than a loop, and what
// does each model cost per task?
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <span>
#include <stdexcept>

#include "concbench/executor.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "sum_squares/settings.h"
#include "sum_squares/workload.h"

namespace concbench::sum_squares {
namespace {

// The tiny-task map also runs at this many times its task count.
constexpr std::int64_t kTinySlopeFactor = 4;

// A plain function: the process pools call it by address in their workers.
std::uint64_t Task(std::uint64_t bound) { return SumSquaresBelow(bound); }

struct Shape {
  std::string workload;  // sum_squares or sum_squares_skewed
  std::vector<std::uint64_t> bounds;
  std::uint64_t expected;
};

// What a results slot holds before a run: no task's result (those are sums
// of squares below 2^32, far from it), so a task whose result never arrives
// fails the check instead of leaving a stale correct value behind.
constexpr std::uint64_t kPoison = 0xa5a5'a5a5'a5a5'a5a5;

// Every run's results are checked against the closed form, slot by slot,
// and poisoned again for the next run, inside the loop but with the timer
// paused: the check is not what the name measures, and at the tiny-task
// sizes it would cost a tenth of serial's run. Pausing costs about a
// microsecond per run, a fixed cost that does not grow with the tasks.
void Run(benchmark::State& state, const Shape& shape,
         const VariantInfo& variant, const ExecutorOptions& options) {
  std::unique_ptr<Executor> executor;
  std::vector<std::uint64_t> expected(shape.bounds.size());
  if (!FailOnException(state, [&] {
        executor = MakeExecutor(variant, options);
        std::transform(shape.bounds.begin(), shape.bounds.end(),
                       expected.begin(), &SquaresBelow);
        if (std::accumulate(expected.begin(), expected.end(),
                            std::uint64_t{0}) != shape.expected)
          throw std::logic_error("the closed forms disagree");
      }))
    return;
  std::vector<std::uint64_t> results(shape.bounds.size(), kPoison);
  const bool ran = TimedLoop(state, [&] {
    Map(*executor, &Task, std::span<const std::uint64_t>(shape.bounds),
        std::span<std::uint64_t>(results));
    PausedTiming paused(state);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      wrong += results[i] != expected[i] ? 1 : 0;
      results[i] = kPoison;
    }
    if (wrong != 0) {
      throw std::runtime_error(
          fmt::format("verification failed: {} of {} results wrong", wrong,
                      results.size()));
    }
  });
  if (!ran) return;
  const auto tasks = static_cast<std::int64_t>(shape.bounds.size());
  state.SetItemsProcessed(state.iterations() * tasks);
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["workers"] = options.workers;
  state.counters["seconds_per_task"] =
      benchmark::Counter(static_cast<double>(tasks),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
  if (tasks > 0) {
    state.counters["cpu_seconds_per_task"] =
        state.counters["cpu_seconds"].value / static_cast<double>(tasks);
  }
}

// Registers `shape` in every variant, for each worker count in `workers`;
// with `forkserver_rows`, also the variants that can start their processes
// from the forkserver (the tasks are pure functions of their inputs).
void AddShape(std::vector<BenchmarkSpec>& specs, const Shape& shape,
              const std::vector<int>& workers,
              std::vector<std::pair<std::string, std::int64_t>> params,
              bool forkserver_rows = false) {
  auto base_name = [&](std::string_view variant) {
    Name name(shape.workload, variant);
    for (const auto& [key, value] : params) name.Param(key, value);
    return name;
  };
  auto add = [&](const Name& name, const VariantInfo& variant,
                 ExecutorOptions options) {
    specs.push_back({.name = name,
                     .run =
                         [shape, &variant, options](benchmark::State& state) {
                           Run(state, shape, variant, options);
                         },
                     .metric = Metric::RealTime(MetricKind::kCpu),
                     .traits = MapTraits(variant, options)});
  };
  ForEachMapBenchmark(
      base_name, [&](const VariantInfo&) { return workers; }, add,
      forkserver_rows);
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  // Full mode sweeps 1 to twice the cores; quick mode keeps 1 and the cores.
  const std::vector<int> sweep = config.mode == SuiteMode::kFull
                                     ? config.WorkerCounts()
                                     : config.FewWorkerCounts();
  const auto tasks = config.Setting("sum_squares.tasks");
  const auto inner = config.Setting("sum_squares.inner");
  AddShape(specs,
           {"sum_squares", UniformTasks(tasks, inner),
            ExpectedUniform(tasks, inner)},
           sweep, {{"tasks", tasks}, {"inner", inner}},
           /*forkserver_rows=*/true);

  const auto skewed = config.Setting("sum_squares_skewed.tasks");
  AddShape(specs,
           {"sum_squares_skewed", SkewedTasks(skewed), ExpectedSkewed(skewed)},
           sweep, {{"tasks", skewed}}, /*forkserver_rows=*/true);

  // Near-empty tasks: the time is each model's own cost, at N and 4N tasks
  // so that the scripts can fit a fixed cost and a per-task slope for each
  // variant and worker count (the pairs differ only in `tasks`).
  const auto tiny_tasks = config.Setting("sum_squares.tiny_tasks");
  constexpr std::int64_t kTinyInner = 10;
  for (const std::int64_t count : {tiny_tasks, kTinySlopeFactor * tiny_tasks}) {
    AddShape(specs,
             {"sum_squares", UniformTasks(count, kTinyInner),
              ExpectedUniform(count, kTinyInner)},
             config.FewWorkerCounts(),
             {{"tasks", count}, {"inner", kTinyInner}});
  }
}

CONCBENCH_WORKLOAD(sum_squares, Register, kSettings);

}  // namespace
}  // namespace concbench::sum_squares
