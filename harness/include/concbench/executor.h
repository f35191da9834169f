// The variants: each concurrency model runs the same map, results[i] =
// fn(inputs[i]), so a workload written once runs in every model. The names
// in MapVariants() are the contract that charts, comparisons and CI read.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "concbench/map_call.h"
#include "concbench/name.h"
#include "concbench/required.h"
#include "concbench/start_method.h"

namespace concbench {

// One concurrency model, set up (pools, arenas, threads) at construction so
// that Run measures dispatch and work only. Run is called from one thread.
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs the whole map and returns when every result is written. `results`
  // holds call.count * call.result_size bytes. Throws on any failure (a task
  // that raised, a child that died).
  virtual void Run(const internal::MapCall& call, std::byte* results) = 0;

  // Limits each later Run to `timeout` (empty: no limit, the default). The
  // process variants honour it: past it they kill their children (or
  // terminate their pool, which spends the executor) and throw PoolTimeout.
  // Threads cannot be killed, so the thread variants ignore it; their tasks
  // must return by themselves.
  void set_timeout(Timeout timeout) { timeout_ = timeout; }

 protected:
  Timeout timeout() const { return timeout_; }

 private:
  Timeout timeout_;
};

struct ExecutorOptions {
  int workers = 1;        // threads or processes; >= 1
  std::size_t chunk = 0;  // items per task where the model takes one; 0: auto
  // How a process variant starts its processes: kFork, or kForkserver where
  // the variant's forkserver_form says it can. Ignored without processes.
  StartMethod start = StartMethod::kFork;
};

// Where a variant runs its tasks.
enum class RunsIn { kInline, kThreads, kProcesses };
std::string_view RunsInName(RunsIn runs_in);  // "inline" | "threads" | ...

// A map variant and its traits: what registration, counters, tests and
// --list=json derive from; nothing outside this table tests variant names.
struct VariantInfo {
  std::string_view name;
  Required<RunsIn> runs_in;
  // How it starts its processes (start_method.h); kNone without processes.
  Required<StartMethod> start_method;
  // Can start its processes from the forkserver instead (options.start):
  // its children then see nothing of this process's memory but the task
  // inputs it copies to them, as CPython's forkserver children.
  Required<bool> forkserver_form;
  // set_timeout kills its workers past the limit (threads cannot be killed).
  Required<bool> honours_timeout;
  // Can run one worker per task (workers = tasks), as Python's one
  // Thread or Process per task.
  Required<bool> per_task_form;
  Required<bool> takes_workers;  // false only for serial
  Required<bool> takes_chunk;    // the model's speed depends on the chunk size
  // Run starts (and ends) its threads or processes, so the timed region
  // includes their start-up; false where they start at construction.
  Required<bool> starts_workers_per_run;
  // The calling thread is one of the `workers` (oneTBB's arena): the model
  // starts one thread fewer.
  Required<bool> caller_works;
  std::unique_ptr<Executor> (*make)(
      const ExecutorOptions&);  // see MakeExecutor

  // Threads and processes the model starts to run `workers` workers.
  int ThreadsStarted(int workers) const;
  int ProcessesStarted(int workers) const;
};

// The traits as strings, for BenchmarkSpec::traits (--list=json); the
// start_method of a process variant is the one `options` ask for.
std::map<std::string, std::string> MapTraits(
    const VariantInfo& variant, const ExecutorOptions& options = {});

// Every map variant, in the order reports list them.
std::span<const VariantInfo> MapVariants();

// The variant called `name`; throws std::invalid_argument naming the known
// ones when there is none.
const VariantInfo& FindVariant(std::string_view name);

// Sets up `variant` with `options`. Throws std::invalid_argument when
// options.workers < 1 or options.start is neither kFork nor a kForkserver
// the variant can take, or whatever the model's set-up throws.
std::unique_ptr<Executor> MakeExecutor(const VariantInfo& variant,
                                       const ExecutorOptions& options);

namespace internal {
// Appends `variant` to MapVariants(), for tests that prove a variant needs
// nothing but its table entry. Call before building any suite.
void AddVariantForTest(const VariantInfo& variant);
}  // namespace internal

// Every map benchmark of a workload, named as the contract says: serial once
// (`base(variant)`), every other variant once per count in
// `workers_for(variant)` (`.../workers:W`), and a chunked variant with
// `chunk:auto` and `chunk:1`. A variant whose `workers_for` is empty is left
// out, serial included. With `portable_tasks` (the workload's tasks need
// nothing of this process's memory but their inputs), a variant with
// forkserver_form also runs with the forkserver (`.../start:forkserver`).
// Calls `add(name, variant, options)` for each.
void ForEachMapBenchmark(
    const std::function<Name(std::string_view variant)>& base,
    const std::function<std::vector<int>(const VariantInfo&)>& workers_for,
    const std::function<void(const Name&, const VariantInfo&,
                             const ExecutorOptions&)>& add,
    bool portable_tasks = false);

// Typed front end: results[i] = fn(inputs[i]) through `executor`.
template <class R, class A>
void Map(Executor& executor, R (*fn)(A), std::span<const A> inputs,
         std::span<R> results) {
  executor.Run({&internal::RunRange<R, A>, reinterpret_cast<void (*)()>(fn),
                reinterpret_cast<const std::byte*>(inputs.data()), sizeof(A),
                sizeof(R), inputs.size(), 0},
               reinterpret_cast<std::byte*>(results.data()));
}

namespace internal {

// [begin, end) of part `index` when `count` items are split into `parts`
// contiguous ranges of nearly equal size (a static partition).
struct Range {
  std::size_t begin;
  std::size_t end;
};
Range StaticPartition(std::size_t count, std::size_t parts, std::size_t index);

// Runs items [begin, end) of `call` into `results`.
inline void RunItems(const MapCall& call, std::byte* results, std::size_t begin,
                     std::size_t end) {
  call.kernel(call.fn, call.inputs, results, begin, end);
}

}  // namespace internal
}  // namespace concbench
