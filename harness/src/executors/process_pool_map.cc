// process_pool_map: ProcessPool::map with a chunk size (0: Python's auto).
// Past the timeout, if one is set, the pool is terminated.
#include "concbench/executor.h"
#include "concbench/process_pool.h"

namespace concbench::internal {
namespace {

class ProcessPoolMapExecutor final : public Executor {
 public:
  explicit ProcessPoolMapExecutor(const ExecutorOptions& options)
      : pool_(options.workers), chunk_(options.chunk) {}

  void Run(const MapCall& call, std::byte* results) override {
    MapCall chunked = call;
    chunked.chunk =
        chunk_ != 0 ? chunk_ : AutoChunk(call.count, pool_.workers());
    try {
      pool_.submit_erased(chunked).Collect(results, timeout());
    } catch (const PoolTimeout&) {
      pool_.terminate();  // the stuck workers must not outlive the run
      throw;
    }
  }

 private:
  ProcessPool pool_;
  std::size_t chunk_;
};

}  // namespace

std::unique_ptr<Executor> MakeProcessPoolMap(const ExecutorOptions& options) {
  return std::make_unique<ProcessPoolMapExecutor>(options);
}

}  // namespace concbench::internal
