// One map call, type-erased so that every concurrency model (executor.h) and
// the process pool run it the same way: results[i] = fn(inputs[i]).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace concbench {

// A task raised, a pool or a worker broke, or the pool was closed or
// terminated.
class PoolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A wait ran out of time (get(timeout), an executor's set_timeout); with a
// pool's get the result may still arrive later.
class PoolTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How long a caller waits at most (empty: no limit).
using Timeout = std::optional<std::chrono::milliseconds>;

namespace internal {

// Runs items [begin, end) of a typed map over raw bytes; a plain function, so
// its address is valid in every forked worker.
using RangeKernel = void (*)(void (*fn)(), const std::byte* inputs,
                             std::byte* results, std::size_t begin,
                             std::size_t end);

template <class R, class A>
void RunRange(void (*fn)(), const std::byte* inputs, std::byte* results,
              std::size_t begin, std::size_t end) {
  auto* typed = reinterpret_cast<R (*)(A)>(fn);
  for (std::size_t i = begin; i < end; ++i) {
    A arg;
    std::memcpy(&arg, inputs + i * sizeof(A), sizeof(A));
    const R result = typed(arg);
    std::memcpy(results + i * sizeof(R), &result, sizeof(R));
  }
}

// One map call, type-erased: results[i] = fn(inputs[i]) for i < count.
struct MapCall {
  RangeKernel kernel;
  void (*fn)();
  const std::byte* inputs;
  std::size_t input_size;
  std::size_t result_size;
  std::size_t count;
  std::size_t chunk;  // items per task, >= 1
};

// The chunk size `auto` picks for `count` items over `workers` workers.
std::size_t AutoChunk(std::size_t count, int workers);

}  // namespace internal
}  // namespace concbench
