// sleep_io in every variant: when the work is mostly waiting, which model
// overlaps the waiting best, and what does each waiting task cost?
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <string>

#include "concbench/executor.h"
#include "concbench/floors.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "sleep_io/event_loop.h"
#include "sleep_io/runner.h"

namespace concbench::sleep_io {
namespace {

using Seconds = std::chrono::duration<double>;

struct Shape {
  std::int64_t tasks;
  std::int64_t sleep_ms;
  std::vector<int> workers;  // for every map variant; empty: none of them
  // Where one worker per task joins the sweep: variants with a per-task
  // form that run in these places (threads, processes) get workers = tasks.
  std::set<RunsIn> per_task_in;
};

// What a variant started to run its workers, per run or at set-up (from its
// traits; oneTBB's threads belong to its global pool and are counted as the
// arena's).
struct Created {
  int threads;
  int processes;
};

// Times every run of `run_once` (which returns an Outcome) in the benchmark
// loop and reports the counters. `workers` sets the ideal makespan.
template <class RunOnce>
void Measure(benchmark::State& state, std::span<const Task> tasks,
             std::span<std::uint64_t> results, std::size_t workers,
             Created created, RunOnce&& run_once) {
  const std::size_t count = tasks.size();
  const auto ideal =
      IdealMakespan(count, workers, count == 0 ? 0 : tasks[0].sleep_us);
  // A warm-up costs a whole run: worth it only where runs are short.
  const WarmUp warm_up =
      ideal < std::chrono::milliseconds(50) ? WarmUp::kYes : WarmUp::kNo;
  bool warmed = warm_up == WarmUp::kNo;
  std::chrono::nanoseconds total{0};
  // Every run is checked (each task done, each value exact) and its results
  // poisoned with 0, never a valid result, for the next run, with the timer
  // paused: the check is not the makespan.
  std::fill(results.begin(), results.end(), 0);
  const bool ran = TimedLoop(
      state,
      [&] {
        const Outcome outcome = run_once(Deadline(ideal));
        PausedTiming paused(state);
        CheckOutcome(outcome, count, Deadline(ideal));
        const std::size_t wrong = CountWrong(tasks, results);
        if (wrong != 0) {
          throw std::runtime_error(fmt::format(
              "verification failed: {} of {} results wrong", wrong, count));
        }
        std::fill(results.begin(), results.end(), 0);
        if (warmed) total += outcome.elapsed;
        warmed = true;
      },
      warm_up);
  if (!ran) return;
  const double makespan =
      Seconds(total).count() / static_cast<double>(state.iterations());
  const double ideal_s = Seconds(ideal).count();
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(count));
  state.counters["tasks"] = static_cast<double>(count);
  state.counters["workers"] = static_cast<double>(workers);
  state.counters["makespan"] = makespan;
  state.counters["ideal_makespan"] = ideal_s;
  state.counters["efficiency"] = makespan > 0 ? ideal_s / makespan : 0;
  state.counters["overhead_per_task"] =
      (makespan - ideal_s) /
      static_cast<double>(std::max<std::size_t>(count, 1));
  state.counters["threads_created"] = created.threads;
  state.counters["processes_created"] = created.processes;
}

void RunMapVariant(benchmark::State& state, const Shape& shape,
                   const VariantInfo& variant, const ExecutorOptions& options) {
  SharedControl();  // before any fork: every worker must map it
  const auto tasks = MakeTasks(shape.tasks, shape.sleep_ms * 1000);
  std::vector<std::uint64_t> results(tasks.size());
  std::unique_ptr<Executor> executor;
  if (!FailOnException(state,
                       [&] { executor = MakeExecutor(variant, options); }))
    return;
  Watchdog watchdog;
  const int workers = variant.takes_workers ? options.workers : 1;
  Measure(state, tasks, results, workers,
          {variant.ThreadsStarted(workers), variant.ProcessesStarted(workers)},
          [&](std::chrono::nanoseconds limit) {
            return RunMapped(*executor, tasks, results, watchdog, limit);
          });
}

void RunEventLoop(benchmark::State& state, const Shape& shape, Style style) {
  const auto tasks = MakeTasks(shape.tasks, shape.sleep_ms * 1000);
  std::vector<std::uint64_t> results(tasks.size());
  Measure(state, tasks, results, std::max<std::size_t>(tasks.size(), 1), {0, 0},
          [&](std::chrono::nanoseconds limit) {
            return RunOnEventLoop(style, tasks, results, limit);
          });
}

// How many threads and processes this run may start (RLIMIT_NPROC counts
// both, over every process of the user), and the limit that bounds it.
struct TaskBudget {
  std::int64_t tasks;
  std::string cause;
};

// The smaller of the kernel's threads-max and RLIMIT_NPROC, less a margin
// for the rest of the machine: 1024 of a large limit, a quarter of a small
// one, so a small limit leaves a small budget instead of a negative one.
TaskBudget ThreadLimit() {
  TaskBudget budget{1'000'000, "concbench's cap"};
  std::ifstream threads_max("/proc/sys/kernel/threads-max");
  std::int64_t value = 0;
  if (threads_max >> value && value < budget.tasks) {
    budget = {value, fmt::format("kernel.threads-max={}", value)};
  }
  rlimit nproc{};
  if (getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY &&
      static_cast<std::int64_t>(nproc.rlim_cur) < budget.tasks) {
    const auto limit = static_cast<std::int64_t>(nproc.rlim_cur);
    budget = {limit, fmt::format("RLIMIT_NPROC={} (ulimit -u)", limit)};
  }
  const std::int64_t margin = std::min<std::int64_t>(1024, budget.tasks / 4);
  budget.tasks = std::max<std::int64_t>(1, budget.tasks - margin);
  return budget;
}

void AddShape(std::vector<BenchmarkSpec>& specs, std::set<std::string>& seen,
              const Shape& shape) {
  auto add = [&](const Name& name, std::function<void(benchmark::State&)> run,
                 std::map<std::string, std::string> traits, std::string floor) {
    if (seen.insert(name.str()).second) {
      specs.push_back({.name = name,
                       .run = std::move(run),
                       .metric = Metric::RealTime(MetricKind::kSleep),
                       .traits = std::move(traits),
                       .floor = std::move(floor)});
    }
  };
  auto base = [&](std::string_view variant) {
    return Name("sleep_io", variant)
        .Param("tasks", shape.tasks)
        .Param("sleep_ms", shape.sleep_ms);
  };
  // Every map variant's task sleeps as the limits sleep does (RunTask's
  // CancellableSleep): that sleep, where measured at this length, is its
  // floor, against which its efficiency reads. The event loop's timers
  // wait another way and have none.
  const std::string task_floor = floors::TaskSleep(shape.sleep_ms * 1000);
  auto add_map = [&](const Name& name, const VariantInfo& variant,
                     ExecutorOptions options) {
    add(
        name,
        [shape, &variant, options](benchmark::State& state) {
          RunMapVariant(state, shape, variant, options);
        },
        MapTraits(variant), task_floor);
  };
  // One thread or one process per task joins the sweep where the shape
  // asks for it; serial and the rest run only when the shape has a sweep.
  auto workers_for = [&](const VariantInfo& variant) {
    std::vector<int> counts = shape.workers;
    if (variant.per_task_form && shape.per_task_in.contains(variant.runs_in))
      counts.push_back(static_cast<int>(shape.tasks));
    return counts;
  };
  ForEachMapBenchmark(base, workers_for, add_map);
  for (Style style : {Style::kCallbacks, Style::kCoroutines}) {
    add(
        base("asio_async").Param("style", StyleName(style)),
        [shape, style](benchmark::State& state) {
          RunEventLoop(state, shape, style);
        },
        {}, "");
  }
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  // The seed: 8 tasks on 2 workers. --set sleep_io.seed_sleep_ms=200 is the
  // seed's own sleep (serial 1.6 s); the default keeps the suite short.
  const auto seed_ms = config.Setting("sleep_io.seed_sleep_ms");
  const std::vector<int> seed_workers =
      config.workers.empty() ? std::vector<int>{2} : config.workers;
  std::vector<Shape> shapes = {{8, seed_ms, seed_workers, {}}};
  const std::set<RunsIn> both = {RunsIn::kThreads, RunsIn::kProcesses};

  // The scaled shapes. Fixed worker counts only at small N * d (serial at
  // N = 1,000 and d = 10 ms alone would take 10 s a run); one thread or
  // process per task up to N = 1,000, the event loop up to N = 10,000.
  std::vector<int> sweep = config.FewWorkerCounts();
  if (config.workers.empty()) sweep.push_back(8 * config.cores);
  const bool custom =
      config.IsSet("sleep_io.tasks") || config.IsSet("sleep_io.sleep_ms");
  const auto tasks = config.Setting("sleep_io.tasks");
  const auto sleep_ms = config.Setting("sleep_io.sleep_ms");
  const TaskBudget budget = ThreadLimit();
  if (config.IsSet("sleep_io.tasks") && tasks > budget.tasks) {
    throw std::invalid_argument(fmt::format(
        "--set sleep_io.tasks={}: one thread or process per task needs {}, "
        "but {} leaves about {} for this run",
        tasks, tasks, budget.cause, budget.tasks));
  }
  if (custom) {
    shapes.push_back({tasks, sleep_ms, sweep, both});
  } else if (config.mode == SuiteMode::kSmoke) {
    shapes.push_back({tasks, sleep_ms, config.FewWorkerCounts(), both});
  } else if (config.mode == SuiteMode::kQuick) {
    shapes.push_back({tasks, sleep_ms, config.FewWorkerCounts(), both});
    shapes.push_back({1'000, 10, {}, {RunsIn::kThreads}});
  } else {
    shapes.push_back({tasks, sleep_ms, sweep, both});
    shapes.push_back({1'000, 10, {}, {RunsIn::kThreads}});
    // One process per task stops at N = 300: forking 1,000 children (about
    // 0.5 ms each here) came too close to the deadline of the time (1.03 s,
    // with one second of slack) and failed a full run once.
    shapes.push_back({300, 10, {}, {RunsIn::kProcesses}});
    // One thread per task is left out at N = 10,000: at ~85 us a thread on
    // the loaded 2-core machine, 10,000 of them took 0.85 s against the
    // deadline of the time (1.03 s). --set sleep_io.tasks=10000 --set
    // sleep_io.sleep_ms=10 runs it on demand.
    shapes.push_back({10'000, 10, {}, {}});
  }
  // The mode's own shapes that one thread or process per task cannot run
  // under this limit lose that form, with a warning: the user asked for
  // none of them, so they never block a run (or --list).
  for (Shape& shape : shapes) {
    if (shape.per_task_in.empty() || shape.tasks <= budget.tasks) continue;
    std::fprintf(stderr,
                 "concbench: warning: sleep_io at tasks:%lld runs without one "
                 "thread or process per task: %s leaves about %lld\n",
                 static_cast<long long>(shape.tasks), budget.cause.c_str(),
                 static_cast<long long>(budget.tasks));
    shape.per_task_in.clear();
  }
  std::set<std::string> seen;
  for (const Shape& shape : shapes) AddShape(specs, seen, shape);
}

constexpr SettingInfo kSettings[] = {
    {"sleep_io.seed_sleep_ms", 10, 2, 1, 0, 10'000,
     "the seed's sleep per task (8 tasks); 200 is the seed's own"},
    {"sleep_io.tasks", 100, 16, 16, 1, 1'000'000,
     "tasks of the scaled shape; with sleep_ms, replaces the scaled shapes"},
    {"sleep_io.sleep_ms", 1, 1, 1, 0, 10'000,
     "sleep per task of the scaled shape"},
};

CONCBENCH_WORKLOAD(sleep_io, Register, kSettings);

}  // namespace
}  // namespace concbench::sleep_io
