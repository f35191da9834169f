// std_async: one std::async(std::launch::async) per part of a static
// partition; the futures carry results and exceptions back.
#include <future>
#include <vector>

#include "concbench/executor.h"
#include "thread_start.h"

namespace concbench::internal {
namespace {

class StdAsyncExecutor final : public Executor {
 public:
  explicit StdAsyncExecutor(int workers) : workers_(workers) {}

  void Run(const MapCall& call, std::byte* results) override {
    std::vector<std::future<void>> parts;
    parts.reserve(workers_);
    for (int i = 0; i < workers_; ++i) {
      const Range range = StaticPartition(call.count, workers_, i);
      try {
        parts.push_back(std::async(std::launch::async, [&call, results, range] {
          RunItems(call, results, range.begin, range.end);
        }));
      } catch (const std::exception& error) {
        // The futures made wait for their parts on the way out.
        throw ThreadStartError("std_async", parts.size(), workers_, error);
      }
    }
    for (auto& part : parts) part.wait();
    for (auto& part : parts) part.get();
  }

 private:
  int workers_;
};

}  // namespace

std::unique_ptr<Executor> MakeStdAsync(const ExecutorOptions& options) {
  return std::make_unique<StdAsyncExecutor>(options.workers);
}

}  // namespace concbench::internal
