// process_pool_apply_async: one apply_async per task, then get() them all in
// order, as the seed does with a list of AsyncResults.
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
    for (std::size_t i = 0; i < call.count; ++i) {
      pending[i].Collect(results + i * call.result_size, std::nullopt);
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
