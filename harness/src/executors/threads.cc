// threads: `workers` std::jthreads started per run, each on one contiguous
// part of the input (a static partition, like threading.Thread per slice).
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "concbench/executor.h"
#include "thread_start.h"

namespace concbench::internal {
namespace {

class ThreadsExecutor final : public Executor {
 public:
  explicit ThreadsExecutor(int workers) : workers_(workers) {}

  void Run(const MapCall& call, std::byte* results) override {
    std::exception_ptr failure;
    std::mutex failure_mutex;
    {
      std::vector<std::jthread> threads;
      threads.reserve(workers_);
      for (int i = 0; i < workers_; ++i) {
        const Range range = StaticPartition(call.count, workers_, i);
        try {
          threads.emplace_back([&, range] {
            try {
              RunItems(call, results, range.begin, range.end);
            } catch (...) {
              std::lock_guard lock(failure_mutex);
              if (!failure) failure = std::current_exception();
            }
          });
        } catch (const std::exception& error) {
          // The threads started finish their parts and join on the way out.
          throw ThreadStartError("threads", threads.size(), workers_, error);
        }
      }
    }  // the jthreads join here
    if (failure) std::rethrow_exception(failure);
  }

 private:
  int workers_;
};

}  // namespace

std::unique_ptr<Executor> MakeThreads(const ExecutorOptions& options) {
  return std::make_unique<ThreadsExecutor>(options.workers);
}

}  // namespace concbench::internal
