// task_queue: the seed's worker pattern. The parent puts every task on a
// shared Queue, forks the workers, and each worker takes tasks with
// get_nowait until the queue reports empty, putting each result on a second
// Queue that the parent drains.
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

#include "concbench/executor.h"
#include "concbench/process.h"
#include "concbench/queue.h"

namespace concbench::internal {
namespace {

// A result travels by value; the workloads' results are at most this big.
constexpr std::size_t kMaxResult = 16;

struct Result {
  std::size_t index;
  std::byte value[kMaxResult];
};

// Waits this long for each result before checking that the workers live.
constexpr auto kResultSlice = std::chrono::milliseconds(100);

class TaskQueueExecutor final : public Executor {
 public:
  explicit TaskQueueExecutor(int workers) : workers_(workers) {}

  void Run(const MapCall& call, std::byte* results) override {
    if (call.result_size > kMaxResult) {
      throw std::invalid_argument(
          fmt::format("task_queue carries results of at most {} bytes, not {}",
                      kMaxResult, call.result_size));
    }
    if (call.count == 0) return;
    // Kept across runs: the segments are set-up cost, not per-run cost.
    if (!tasks_ || tasks_->capacity() < call.count) {
      tasks_ = std::make_unique<Queue<std::size_t>>(call.count);
      done_ = std::make_unique<Queue<Result>>(call.count);
    }
    // A run that failed may have left tasks or results behind.
    while (tasks_->get_nowait()) {
    }
    while (done_->get_nowait()) {
    }
    // Every task is queued before a worker starts: a worker that found the
    // queue empty early would stop while tasks are still to come.
    for (std::size_t i = 0; i < call.count; ++i) tasks_->put(i);
    std::vector<Process> children;
    children.reserve(workers_);
    for (int w = 0; w < workers_; ++w) {
      children.emplace_back([this, &call] { Work(call); });
      children.back().start();
    }
    for (std::size_t received = 0; received < call.count;) {
      if (auto result = done_->get(kResultSlice)) {
        std::memcpy(results + result->index * call.result_size, result->value,
                    call.result_size);
        ++received;
        continue;
      }
      CheckWorkers(children);
    }
    for (Process& child : children) child.join();
    CheckWorkers(children);
  }

 private:
  void Work(const MapCall& call) {
    while (const auto index = tasks_->get_nowait()) {
      Result result{*index, {}};
      // Item `index` run as item 0 of a one-item map, so that its result
      // lands at the start of the message.
      call.kernel(call.fn, call.inputs + *index * call.input_size, result.value,
                  0, 1);
      done_->put(result);
    }
  }

  // Throws when a worker died or failed: its results will never come.
  static void CheckWorkers(std::vector<Process>& children) {
    for (Process& child : children) {
      if (child.is_alive() || child.exitcode() == 0) continue;
      throw PoolError(fmt::format("{} (pid {}) {}", child.name(), child.pid(),
                                  DescribeExitCode(*child.exitcode())));
    }
  }

  int workers_;
  std::unique_ptr<Queue<std::size_t>> tasks_;
  std::unique_ptr<Queue<Result>> done_;
};

}  // namespace

std::unique_ptr<Executor> MakeTaskQueue(const ExecutorOptions& options) {
  return std::make_unique<TaskQueueExecutor>(options.workers);
}

}  // namespace concbench::internal
