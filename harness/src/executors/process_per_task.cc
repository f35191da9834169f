// process_per_task: the seed's Process + Array. Each run forks one new
// Process per part of a static partition; children read their inputs from
// the copy-on-write image and write results into a SharedArray. Past the
// timeout, if one is set, the children are killed.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "concbench/executor.h"
#include "concbench/process.h"
#include "concbench/process_pool.h"
#include "concbench/shared_memory.h"

namespace concbench::internal {
namespace {

// No result of a workload is made of this byte repeated.
constexpr int kPoisonByte = 0xa5;

class ProcessPerTaskExecutor final : public Executor {
 public:
  explicit ProcessPerTaskExecutor(int workers) : workers_(workers) {}

  void Run(const MapCall& call, std::byte* results) override {
    const std::size_t bytes = call.count * call.result_size;
    // Kept across runs: the segment is set-up cost, not per-run cost.
    if (!shared_ || shared_->size() < bytes) {
      shared_ =
          std::make_unique<SharedArray<std::byte>>(bytes, Locking::kNoLock);
    }
    std::byte* shared_results = shared_->span().data();
    // Poisoned before every run: the array is reused, and a child that wrote
    // nothing must not leave the previous run's correct values behind. About
    // 10 us for 10,000 results, against a fork of a millisecond.
    std::memset(shared_results, kPoisonByte, bytes);
    std::vector<Process> children;
    children.reserve(workers_);
    for (int i = 0; i < workers_; ++i) {
      const Range range = StaticPartition(call.count, workers_, i);
      children.emplace_back([&call, shared_results, range] {
        RunItems(call, shared_results, range.begin, range.end);
      });
      children.back().start();
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          timeout().value_or(std::chrono::milliseconds(0));
    for (Process& child : children) {
      if (!timeout()) {
        child.join();
      } else if (!child.join(std::chrono::ceil<std::chrono::milliseconds>(
                     std::max(deadline - std::chrono::steady_clock::now(),
                              std::chrono::steady_clock::duration::zero())))) {
        // Leaving the scope kills and reaps every child still running.
        throw PoolTimeout(fmt::format("{} (pid {}) still ran after {} ms",
                                      child.name(), child.pid(),
                                      timeout()->count()));
      }
      if (child.exitcode() != 0) {
        throw PoolError(fmt::format("{} (pid {}) {}", child.name(), child.pid(),
                                    DescribeExitCode(*child.exitcode())));
      }
    }
    if (bytes > 0) std::memcpy(results, shared_results, bytes);
  }

 private:
  int workers_;
  std::unique_ptr<SharedArray<std::byte>> shared_;
};

}  // namespace

std::unique_ptr<Executor> MakeProcessPerTask(const ExecutorOptions& options) {
  return std::make_unique<ProcessPerTaskExecutor>(options.workers);
}

}  // namespace concbench::internal
