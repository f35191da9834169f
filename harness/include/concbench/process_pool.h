// A pool of pre-forked worker processes, like multiprocessing.Pool: tasks are
// plain functions of this binary with trivially copyable arguments and
// results, carried through one Boost.Interprocess segment. Workers live across
// tasks and sleep on a futex (after a short spin) when idle.
//
// A worker that dies (a crash, kill -9) breaks the pool, as
// concurrent.futures' BrokenProcessPool does: every pending result and every
// later call fails with a PoolError that names the worker and its signal,
// within 50 ms of the death being observable. The pool never hangs on it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "concbench/map_call.h"
#include "concbench/start_method.h"

namespace concbench {

namespace internal {

class PoolCore;

// A submitted call's results, owned until collected. Destroying it without
// collecting abandons the results (the pool frees them once done).
class Batch {
 public:
  Batch(std::shared_ptr<PoolCore> core, std::uint32_t id, std::size_t count)
      : core_(std::move(core)), id_(id), count_(count) {}
  ~Batch();
  Batch(Batch&& other) noexcept;
  Batch& operator=(Batch&&) = delete;
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  bool ready() const;
  // Waits, then copies count * result_size bytes to `results` and releases
  // the batch. Throws PoolError or PoolTimeout (the batch stays then).
  void Collect(std::byte* results, Timeout timeout);
  std::size_t count() const { return count_; }

 private:
  std::shared_ptr<PoolCore> core_;
  std::uint32_t id_;
  std::size_t count_;
  bool collected_ = false;
};

}  // namespace internal

// The result of apply_async: get() it once.
template <class R>
class AsyncResult {
 public:
  explicit AsyncResult(internal::Batch batch) : batch_(std::move(batch)) {}
  bool ready() const { return batch_.ready(); }
  // Waits at most `timeout` (forever if empty); throws PoolTimeout, or
  // PoolError if the task raised or the pool broke. Call once.
  R get(Timeout timeout = std::nullopt) {
    R result;
    batch_.Collect(reinterpret_cast<std::byte*>(&result), timeout);
    return result;
  }

 private:
  internal::Batch batch_;
};

// The result of map_async: get() it once.
template <class R>
class MapResult {
 public:
  explicit MapResult(internal::Batch batch) : batch_(std::move(batch)) {}
  bool ready() const { return batch_.ready(); }
  std::vector<R> get(Timeout timeout = std::nullopt) {
    std::vector<R> results(batch_.count());
    batch_.Collect(reinterpret_cast<std::byte*>(results.data()), timeout);
    return results;
  }

 private:
  internal::Batch batch_;
};

class ProcessPool {
 public:
  struct Options {
    // How long an idle worker spins before it sleeps on the futex.
    std::chrono::microseconds spin{20};
    // Shared memory for arguments and results of calls in flight.
    std::size_t arena_bytes = std::size_t{64} << 20;
    // kFork (forks of this process) or kForkserver (children of the
    // forkserver, which map the pool's segment by name).
    StartMethod start = StartMethod::kFork;
  };

  // Starts `workers` processes now. Throws std::invalid_argument when
  // workers < 1 or the start method is neither, std::system_error when a
  // fork fails, std::runtime_error when the forkserver is gone.
  explicit ProcessPool(int workers);
  ProcessPool(int workers, Options options);
  // terminate()s unless join() already returned: every worker is reaped.
  ~ProcessPool();
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  int workers() const;
  // The workers' process ids, in worker order (for tests and monitoring).
  std::vector<pid_t> pids() const;
  // CPU seconds the live workers have used since they were forked, read
  // from their CPU clocks (ProcessCpuSeconds): no cost to the workers.
  // Reaped workers count 0 here; their time is in RUSAGE_CHILDREN.
  double workers_cpu_seconds() const;

  // results[i] = fn(inputs[i]), in input order. `chunksize` items per task;
  // 0 means auto (Python's rule: count / (4 * workers), rounded up).
  template <class R, class A>
  std::vector<R> map(R (*fn)(A), std::span<const A> inputs,
                     std::size_t chunksize = 0) {
    return map_async(fn, inputs, chunksize).get();
  }
  template <class R, class A>
  MapResult<R> map_async(R (*fn)(A), std::span<const A> inputs,
                         std::size_t chunksize = 0) {
    CheckTypes<R, A>();
    if (chunksize == 0)
      chunksize = internal::AutoChunk(inputs.size(), workers());
    return MapResult<R>(submit_erased(
        {&internal::RunRange<R, A>, reinterpret_cast<void (*)()>(fn),
         reinterpret_cast<const std::byte*>(inputs.data()), sizeof(A),
         sizeof(R), inputs.size(), chunksize}));
  }
  template <class R, class A>
  AsyncResult<R> apply_async(R (*fn)(A), A arg) {
    CheckTypes<R, A>();
    return AsyncResult<R>(submit_erased(
        {&internal::RunRange<R, A>, reinterpret_cast<void (*)()>(fn),
         reinterpret_cast<const std::byte*>(&arg), sizeof(A), sizeof(R), 1,
         1}));
  }
  template <class R, class A>
  R apply(R (*fn)(A), A arg) {
    return apply_async(fn, arg).get();
  }

  // No more tasks; workers exit once every submitted task is done.
  void close();
  // Waits for the workers to exit; call close() (or terminate()) first.
  void join();
  // Kills the workers now; pending results fail with PoolError.
  void terminate();

  // The type-erased form of map_async, for executors that hold a MapCall.
  // `call.inputs` is copied before it returns.
  internal::Batch submit_erased(const internal::MapCall& call);

 private:
  template <class R, class A>
  static constexpr void CheckTypes() {
    static_assert(std::is_trivially_copyable_v<A> &&
                      std::is_trivially_copyable_v<R> &&
                      std::is_default_constructible_v<R>,
                  "pool tasks take and return trivially copyable values");
  }
  std::shared_ptr<internal::PoolCore> core_;
};

}  // namespace concbench
