// tbb: oneTBB's parallel_for with its auto partitioner (work stealing),
// inside a task_arena of `workers` threads. The global_control lifts oneTBB's
// default cap of one thread per core, so that more workers than cores are
// really that many threads, as in every other variant.
//
// oneTBB starts its threads lazily, from its own threads, and ends the whole
// process (std::terminate) when one cannot be created. So the set-up first
// checks that the arena's threads can be started now, and fails with the
// reason otherwise.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <exception>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "concbench/executor.h"
#include "thread_start.h"

namespace concbench::internal {
namespace {

// `workers`, once the workers - 1 threads oneTBB adds to the caller have
// been started at once and ended; throws std::runtime_error with the reason
// when one cannot be started.
std::size_t CheckedWorkers(int workers) {
  const int count = workers - 1;
  std::latch release(1);
  std::vector<std::jthread> threads;
  threads.reserve(static_cast<std::size_t>(count));
  try {
    for (int i = 0; i < count; ++i)
      threads.emplace_back([&release] { release.wait(); });
  } catch (const std::exception& error) {
    const std::size_t started = threads.size();
    release.count_down();
    threads.clear();
    throw ThreadStartError(
        "tbb", started, static_cast<std::size_t>(count), error,
        "oneTBB would end the process on failing to start it");
  }
  release.count_down();
  return static_cast<std::size_t>(workers);
}

class TbbExecutor final : public Executor {
 public:
  explicit TbbExecutor(int workers)
      : parallelism_(tbb::global_control::max_allowed_parallelism,
                     CheckedWorkers(workers)),
        arena_(workers) {
    arena_.initialize();
  }

  void Run(const MapCall& call, std::byte* results) override {
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, call.count),
                        [&](const tbb::blocked_range<std::size_t>& range) {
                          RunItems(call, results, range.begin(), range.end());
                        });
    });
  }

 private:
  tbb::global_control parallelism_;
  tbb::task_arena arena_;
};

}  // namespace

std::unique_ptr<Executor> MakeTbb(const ExecutorOptions& options) {
  return std::make_unique<TbbExecutor>(options.workers);
}

}  // namespace concbench::internal
