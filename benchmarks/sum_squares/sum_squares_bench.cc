// sum_squares in every map variant: is a pool faster than a loop, and what
// does each model cost per task?
#include <numeric>
#include <span>

#include "concbench/executor.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "sum_squares/workload.h"

namespace concbench::sum_squares {
namespace {

// A plain function: the process pools call it by address in their workers.
std::uint64_t Task(std::uint64_t bound) { return SumSquaresBelow(bound); }

struct Shape {
  std::string workload;  // sum_squares or sum_squares_skewed
  std::vector<std::uint64_t> bounds;
  std::uint64_t expected;
};

void Run(benchmark::State& state, const Shape& shape,
         const VariantInfo& variant, const ExecutorOptions& options) {
  std::unique_ptr<Executor> executor;
  if (!FailOnException(state,
                       [&] { executor = MakeExecutor(variant, options); }))
    return;
  std::vector<std::uint64_t> results(shape.bounds.size());
  const bool ran = TimedLoop(state, [&] {
    Map(*executor, &Task, std::span<const std::uint64_t>(shape.bounds),
        std::span<std::uint64_t>(results));
  });
  if (!ran) return;
  const std::uint64_t total =
      std::accumulate(results.begin(), results.end(), std::uint64_t{0});
  if (!Verify(state, "total", total, shape.expected)) return;
  const auto tasks = static_cast<std::int64_t>(shape.bounds.size());
  state.SetItemsProcessed(state.iterations() * tasks);
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["workers"] = options.workers;
  state.counters["seconds_per_task"] =
      benchmark::Counter(static_cast<double>(tasks),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

// Registers `shape` in every variant, for each worker count in `workers`.
void AddShape(std::vector<BenchmarkSpec>& specs, const Shape& shape,
              const std::vector<int>& workers,
              std::vector<std::pair<std::string, std::int64_t>> params) {
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
                     .metric = Metric::RealTime(MetricKind::kCpu)});
  };
  ForEachMapBenchmark(
      base_name, [&](const VariantInfo&) { return workers; }, add);
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  constexpr std::int64_t kMaxTasks = 10'000'000;
  const auto tasks = config.Setting(
      "sum_squares.tasks", config.Size(10'000, 1'000, 40), 0, kMaxTasks);
  const auto inner = config.Setting(
      "sum_squares.inner", config.Size(10'000, 10'000, 100), 0, 1'000'000);
  AddShape(specs,
           {"sum_squares", UniformTasks(tasks, inner),
            ExpectedUniform(tasks, inner)},
           config.WorkerCounts(), {{"tasks", tasks}, {"inner", inner}});

  const auto skewed = config.Setting(
      "sum_squares_skewed.tasks", config.Size(10'000, 5'000, 40), 0, 1'000'000);
  AddShape(specs,
           {"sum_squares_skewed", SkewedTasks(skewed), ExpectedSkewed(skewed)},
           config.WorkerCounts(), {{"tasks", skewed}});

  // Near-empty tasks: the time is each model's own dispatch cost per task.
  const auto tiny_tasks = config.Setting(
      "sum_squares.tiny_tasks", config.Size(10'000, 2'000, 40), 0, kMaxTasks);
  constexpr std::int64_t kTinyInner = 10;
  AddShape(specs,
           {"sum_squares", UniformTasks(tiny_tasks, kTinyInner),
            ExpectedUniform(tiny_tasks, kTinyInner)},
           config.FewWorkerCounts(),
           {{"tasks", tiny_tasks}, {"inner", kTinyInner}});
}

CONCBENCH_WORKLOAD(sum_squares, Register);

}  // namespace
}  // namespace concbench::sum_squares
