// The variants: each concurrency model runs the same map, results[i] =
// fn(inputs[i]), so a workload written once runs in every model. The names
// in MapVariants() are the contract that charts, comparisons and CI read.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "concbench/process_pool.h"
#include "concbench/suite.h"

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
};

struct VariantInfo {
  std::string_view name;
  bool takes_workers;  // false only for serial
  bool takes_chunk;    // the model's speed depends on the chunk size
  std::unique_ptr<Executor> (*make)(
      const ExecutorOptions&);  // see MakeExecutor
};

// Every map variant, in the order reports list them.
std::span<const VariantInfo> MapVariants();

// The variant called `name`; throws std::invalid_argument naming the known
// ones when there is none.
const VariantInfo& FindVariant(std::string_view name);

// Sets up `variant` with `options`. Throws std::invalid_argument when
// options.workers < 1, or whatever the model's set-up throws.
std::unique_ptr<Executor> MakeExecutor(const VariantInfo& variant,
                                       const ExecutorOptions& options);

// Every map benchmark of a workload, named as the contract says: serial once
// (`base(variant)`), every other variant once per count in
// `workers_for(variant)` (`.../workers:W`), and a chunked variant with
// `chunk:auto` and `chunk:1`. A variant whose `workers_for` is empty is left
// out, serial included. Calls `add(name, variant, options)` for each.
void ForEachMapBenchmark(
    const std::function<Name(std::string_view variant)>& base,
    const std::function<std::vector<int>(const VariantInfo&)>& workers_for,
    const std::function<void(const Name&, const VariantInfo&,
                             const ExecutorOptions&)>& add);

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
