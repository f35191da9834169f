// process_pool_apply_async: one apply_async per task, then get() them all in
// order, as the seed does with a list of AsyncResults (at most
// kMaxOutstanding at a time). Past the timeout, if one is set, the pool is
// terminated.
#include <algorithm>
#include <chrono>
#include <deque>

#include "concbench/executor.h"
#include "concbench/process_pool.h"

namespace concbench::internal {
namespace {

// Results a run leaves outstanding at most: the pool holds 16,384, so a
// larger map collects the oldest before it submits more.
constexpr std::size_t kMaxOutstanding = 8192;

class ProcessPoolApplyAsyncExecutor final : public Executor {
 public:
  explicit ProcessPoolApplyAsyncExecutor(int workers) : pool_(workers) {}

  void Run(const MapCall& call, std::byte* results) override {
    const auto deadline = std::chrono::steady_clock::now() +
                          timeout().value_or(std::chrono::milliseconds(0));
    std::deque<Batch> pending;
    std::size_t collected = 0;
    auto collect_oldest = [&] {
      Timeout left;
      if (timeout()) {
        left = std::chrono::ceil<std::chrono::milliseconds>(
            std::max(deadline - std::chrono::steady_clock::now(),
                     std::chrono::steady_clock::duration::zero()));
      }
      pending.front().Collect(results + collected * call.result_size, left);
      pending.pop_front();
      ++collected;
    };
    try {
      for (std::size_t i = 0; i < call.count; ++i) {
        if (pending.size() == kMaxOutstanding) collect_oldest();
        MapCall one = call;
        one.inputs = call.inputs + i * call.input_size;
        one.count = 1;
        one.chunk = 1;
        pending.push_back(pool_.submit_erased(one));
      }
      while (!pending.empty()) collect_oldest();
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
