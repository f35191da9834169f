// tbb: oneTBB's parallel_for with its auto partitioner (work stealing),
// inside a task_arena of `workers` threads. The global_control lifts oneTBB's
// default cap of one thread per core, so that more workers than cores are
// really that many threads, as in every other variant.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "concbench/executor.h"

namespace concbench::internal {
namespace {

class TbbExecutor final : public Executor {
 public:
  explicit TbbExecutor(int workers)
      : parallelism_(tbb::global_control::max_allowed_parallelism,
                     static_cast<std::size_t>(workers)),
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
