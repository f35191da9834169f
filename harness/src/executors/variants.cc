// The table of map variants and their traits.
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "concbench/executor.h"

namespace concbench {
namespace internal {

std::unique_ptr<Executor> MakeSerial(const ExecutorOptions&);
std::unique_ptr<Executor> MakeThreads(const ExecutorOptions&);
std::unique_ptr<Executor> MakeThreadPool(const ExecutorOptions&);
std::unique_ptr<Executor> MakeTbb(const ExecutorOptions&);
std::unique_ptr<Executor> MakeStdAsync(const ExecutorOptions&);
std::unique_ptr<Executor> MakeProcessPerTask(const ExecutorOptions&);
std::unique_ptr<Executor> MakeProcessPoolMap(const ExecutorOptions&);
std::unique_ptr<Executor> MakeProcessPoolApplyAsync(const ExecutorOptions&);
std::unique_ptr<Executor> MakeTaskQueue(const ExecutorOptions&);

Range StaticPartition(std::size_t count, std::size_t parts, std::size_t index) {
  const std::size_t base = count / parts;
  const std::size_t extra = count % parts;
  const std::size_t begin = index * base + std::min(index, extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

}  // namespace internal

namespace {

// Adding a variant: its file in this folder, its Make function declared
// above, one entry here (every trait is required), and one line in
// harness/CMakeLists.txt. Registration, counters, tests and --list=json
// derive from this table.
constexpr RunsIn kInline = RunsIn::kInline;
constexpr RunsIn kThreads = RunsIn::kThreads;
constexpr RunsIn kProcesses = RunsIn::kProcesses;
constexpr StartMethod kNoStart = StartMethod::kNone;
constexpr StartMethod kFork = StartMethod::kFork;

const VariantInfo kVariants[] = {
    {.name = "serial",
     .runs_in = kInline,
     .start_method = kNoStart,
     .forkserver_form = false,
     .honours_timeout = false,
     .per_task_form = false,
     .takes_workers = false,
     .takes_chunk = false,
     .starts_workers_per_run = false,
     .caller_works = true,
     .make = &internal::MakeSerial},
    {.name = "threads",
     .runs_in = kThreads,
     .start_method = kNoStart,
     .forkserver_form = false,
     .honours_timeout = false,
     .per_task_form = true,
     .takes_workers = true,
     .takes_chunk = false,
     .starts_workers_per_run = true,
     .caller_works = false,
     .make = &internal::MakeThreads},
    {.name = "thread_pool",
     .runs_in = kThreads,
     .start_method = kNoStart,
     .forkserver_form = false,
     .honours_timeout = false,
     .per_task_form = false,
     .takes_workers = true,
     .takes_chunk = false,
     .starts_workers_per_run = false,
     .caller_works = false,
     .make = &internal::MakeThreadPool},
    {.name = "tbb",
     .runs_in = kThreads,
     .start_method = kNoStart,
     .forkserver_form = false,
     .honours_timeout = false,
     .per_task_form = false,
     .takes_workers = true,
     .takes_chunk = false,
     .starts_workers_per_run = false,
     .caller_works = true,
     .make = &internal::MakeTbb},
    {.name = "std_async",
     .runs_in = kThreads,
     .start_method = kNoStart,
     .forkserver_form = false,
     .honours_timeout = false,
     .per_task_form = false,
     .takes_workers = true,
     .takes_chunk = false,
     .starts_workers_per_run = true,
     .caller_works = false,
     .make = &internal::MakeStdAsync},
    {.name = "process_per_task",
     .runs_in = kProcesses,
     .start_method = kFork,
     .forkserver_form = true,
     .honours_timeout = true,
     .per_task_form = true,
     .takes_workers = true,
     .takes_chunk = false,
     .starts_workers_per_run = true,
     .caller_works = false,
     .make = &internal::MakeProcessPerTask},
    {.name = "process_pool_map",
     .runs_in = kProcesses,
     .start_method = kFork,
     .forkserver_form = false,
     .honours_timeout = true,
     .per_task_form = false,
     .takes_workers = true,
     .takes_chunk = true,
     .starts_workers_per_run = false,
     .caller_works = false,
     .make = &internal::MakeProcessPoolMap},
    {.name = "process_pool_apply_async",
     .runs_in = kProcesses,
     .start_method = kFork,
     .forkserver_form = false,
     .honours_timeout = true,
     .per_task_form = false,
     .takes_workers = true,
     .takes_chunk = false,
     .starts_workers_per_run = false,
     .caller_works = false,
     .make = &internal::MakeProcessPoolApplyAsync},
    {.name = "task_queue",
     .runs_in = kProcesses,
     .start_method = kFork,
     .forkserver_form = false,
     .honours_timeout = true,
     .per_task_form = false,
     .takes_workers = true,
     .takes_chunk = false,
     .starts_workers_per_run = false,
     .caller_works = false,
     .make = &internal::MakeTaskQueue},
};

// The table, plus any variants tests added.
std::vector<VariantInfo>& Variants() {
  static std::vector<VariantInfo> variants(std::begin(kVariants),
                                           std::end(kVariants));
  return variants;
}

}  // namespace

std::span<const VariantInfo> MapVariants() { return Variants(); }

namespace internal {
void AddVariantForTest(const VariantInfo& variant) {
  Variants().push_back(variant);
}
}  // namespace internal

std::string_view RunsInName(RunsIn runs_in) {
  switch (runs_in) {
    case RunsIn::kInline:
      return "inline";
    case RunsIn::kThreads:
      return "threads";
    case RunsIn::kProcesses:
      return "processes";
  }
  return "unknown";
}

int VariantInfo::ThreadsStarted(int workers) const {
  if (runs_in != RunsIn::kThreads) return 0;
  return caller_works ? workers - 1 : workers;
}

int VariantInfo::ProcessesStarted(int workers) const {
  return runs_in == RunsIn::kProcesses ? workers : 0;
}

std::map<std::string, std::string> MapTraits(const VariantInfo& variant,
                                             const ExecutorOptions& options) {
  auto yes_no = [](bool value) { return value ? "true" : "false"; };
  const StartMethod start = variant.runs_in == RunsIn::kProcesses
                                ? options.start
                                : StartMethod(variant.start_method);
  return {
      {"runs_in", std::string(RunsInName(variant.runs_in))},
      {"start_method", std::string(StartMethodName(start))},
      {"forkserver_form", yes_no(variant.forkserver_form)},
      {"honours_timeout", yes_no(variant.honours_timeout)},
      {"per_task_form", yes_no(variant.per_task_form)},
      {"takes_workers", yes_no(variant.takes_workers)},
      {"takes_chunk", yes_no(variant.takes_chunk)},
      {"starts_workers_per_run", yes_no(variant.starts_workers_per_run)},
      {"caller_works", yes_no(variant.caller_works)},
  };
}

std::unique_ptr<Executor> MakeExecutor(const VariantInfo& variant,
                                       const ExecutorOptions& options) {
  if (options.workers < 1) {
    throw std::invalid_argument("workers must be at least 1, got " +
                                std::to_string(options.workers));
  }
  const bool forkserver = options.start == StartMethod::kForkserver;
  if ((forkserver && !variant.forkserver_form) ||
      (!forkserver && options.start != StartMethod::kFork)) {
    throw std::invalid_argument(std::string(variant.name) +
                                " cannot start with " +
                                std::string(StartMethodName(options.start)));
  }
  return variant.make(options);
}

void ForEachMapBenchmark(
    const std::function<Name(std::string_view variant)>& base,
    const std::function<std::vector<int>(const VariantInfo&)>& workers_for,
    const std::function<void(const Name&, const VariantInfo&,
                             const ExecutorOptions&)>& add,
    bool portable_tasks) {
  for (const VariantInfo& variant : MapVariants()) {
    const std::vector<int> counts = workers_for(variant);
    if (!variant.takes_workers) {
      if (!counts.empty()) add(base(variant.name), variant, {});
      continue;
    }
    std::vector<StartMethod> starts = {StartMethod::kFork};
    if (portable_tasks && variant.forkserver_form)
      starts.push_back(StartMethod::kForkserver);
    for (StartMethod start : starts) {
      for (int workers : counts) {
        Name name = base(variant.name);
        ParamStart(name.Param("workers", workers), start);
        if (!variant.takes_chunk) {
          add(name, variant, {workers, 0, start});
          continue;
        }
        add(Name(name).Param("chunk", "auto"), variant, {workers, 0, start});
        add(Name(name).Param("chunk", 1), variant, {workers, 1, start});
      }
    }
  }
}

const VariantInfo& FindVariant(std::string_view name) {
  std::string known;
  for (const VariantInfo& variant : MapVariants()) {
    if (variant.name == name) return variant;
    known += known.empty() ? "" : ", ";
    known += variant.name;
  }
  throw std::invalid_argument("unknown variant '" + std::string(name) +
                              "' (known: " + known + ")");
}

}  // namespace concbench
