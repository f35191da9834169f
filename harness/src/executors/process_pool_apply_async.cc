// process_pool_apply_async: one apply_async per task, then get() them all in
// order, as the seed does with a list of AsyncResults. Past the timeout, if
// one is set, the pool is terminated.
#include <algorithm>
#include <chrono>
#include <vector>

#include "concbench/executor.h"

namespace concbench::internal {
namespace {

class ProcessPoolApplyAsyncExecutor final : public Executor {
 public:
  explicit ProcessPoolApplyAsyncExecutor(int workers) : pool_(workers) {}

  void Run(const MapCall& call, std::byte* results) override {
    std::vector<Batch> pending;
    pending.reserve(call.count);
    for (std::size_t i = 0; i < call.count; ++i) {
      MapCall one = call;
      one.inputs = call.inputs + i * call.input_size;
      one.count = 1;
      one.chunk = 1;
      pending.push_back(pool_.submit_erased(one));
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          timeout().value_or(std::chrono::milliseconds(0));
    try {
      for (std::size_t i = 0; i < call.count; ++i) {
        Timeout left;
        if (timeout()) {
          left = std::chrono::ceil<std::chrono::milliseconds>(
              std::max(deadline - std::chrono::steady_clock::now(),
                       std::chrono::steady_clock::duration::zero()));
        }
        pending[i].Collect(results + i * call.result_size, left);
      }
    } catch (const PoolTimeout&) {
      pool_.terminate();  // the stuck workers must not outlive the run
      throw;
    }
  }

 private:
  ProcessPool pool_;
};

}  // namespace

std::unique_ptr<Executor> MakeProcessPoolApplyAsync(
    const ExecutorOptions& options) {
  return std::make_unique<ProcessPoolApplyAsyncExecutor>(options.workers);
}

}  // namespace concbench::internal
