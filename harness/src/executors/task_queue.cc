// task_queue: the seed's worker pattern, with workers that live across runs.
// The executor forks its workers once, at construction (spawn measures that
// start-up), so that no fork is inside a timed run, as for the pools. Each
// run the parent puts the tasks on a shared Queue (refilling it as results
// come back, so a map of any size fits the bounded queue) and wakes the
// workers; each worker takes tasks with get_nowait until the queue reports
// empty, putting each result on a second Queue that the parent drains, then
// sleeps until more tasks come. A task message carries everything a worker
// needs (the kernel, the function, the input by value), as Python pickles
// each task. Past the timeout, if one is set, or when a worker dies, the
// workers are killed and the run throws; the next run starts fresh workers.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <vector>

#include "concbench/executor.h"
#include "concbench/process.h"
#include "concbench/process_pool.h"
#include "concbench/queue.h"
#include "concbench/shared_memory.h"
#include "concbench/sync.h"

namespace concbench::internal {
namespace {

// Inputs and results travel by value; the workloads' are at most this big.
constexpr std::size_t kMaxItem = 16;
// Tasks in flight at once. Every map of the suite fits whole (40,000 tasks
// at most), so the workers never wait for the parent to refill the queue; a
// larger map is fed as results come back. Unused pages of the segments are
// never touched.
constexpr std::size_t kQueueCapacity = std::size_t{1} << 16;
// Waits this long for each result before checking the workers and the
// deadline.
constexpr auto kResultSlice = std::chrono::milliseconds(100);
// How long a stopping worker may take to exit before it is killed.
constexpr auto kExitGrace = std::chrono::seconds(1);

struct TaskMessage {
  RangeKernel kernel;
  void (*fn)();
  std::size_t index;
  std::size_t input_size;
  std::byte input[kMaxItem];
};

struct ResultMessage {
  std::size_t index;
  std::uint32_t failed;  // the task threw; `value` holds nothing
  std::byte value[kMaxItem];
};

// Shared by the parent and its workers.
struct Control {
  std::atomic<std::uint32_t> work_seq{0};  // futex: bumped when tasks come
  std::atomic<std::uint32_t> sleepers{0};  // workers asleep on it
  std::atomic<std::uint32_t> stopping{0};
};

class TaskQueueExecutor final : public Executor {
 public:
  explicit TaskQueueExecutor(int workers) : workers_(workers) { Start(); }
  ~TaskQueueExecutor() override { Stop(/*gently=*/true); }

  void Run(const MapCall& call, std::byte* results) override {
    if (call.input_size > kMaxItem || call.result_size > kMaxItem) {
      throw std::invalid_argument(fmt::format(
          "task_queue carries inputs and results of at most {} bytes, not {} "
          "and {}",
          kMaxItem, call.input_size, call.result_size));
    }
    if (call.count == 0) return;
    if (children_.empty()) Start();  // after a failed run
    try {
      Collect(call, results);
    } catch (...) {
      Stop(/*gently=*/false);
      throw;
    }
  }

 private:
  void Start() {
    control_segment_ = std::make_unique<SharedSegment>(sizeof(Control));
    control_ = new (control_segment_->data()) Control();
    tasks_ = std::make_unique<Queue<TaskMessage>>(kQueueCapacity);
    done_ = std::make_unique<Queue<ResultMessage>>(kQueueCapacity);
    children_.reserve(workers_);
    for (int w = 0; w < workers_; ++w) {
      children_.emplace_back([this] { Work(); },
                             fmt::format("task_queue worker {}", w));
      children_.back().start();
    }
  }

  // Ends the workers: gently (they finish and exit) or by SIGKILL. The
  // queues go with them, holding the failed run's stale tasks and results.
  void Stop(bool gently) {
    if (gently && control_ != nullptr) {
      control_->stopping.store(1);
      control_->work_seq.fetch_add(1);
      FutexWake(control_->work_seq, INT_MAX);
      for (Process& child : children_) child.join(kExitGrace);
    }
    children_.clear();  // kills and reaps any child still running
    tasks_.reset();
    done_.reset();
    control_ = nullptr;
    control_segment_.reset();
  }

  void Collect(const MapCall& call, std::byte* results) {
    const auto deadline = std::chrono::steady_clock::now() +
                          timeout().value_or(std::chrono::milliseconds(0));
    std::size_t next = 0;
    for (std::size_t received = 0; received < call.count;) {
      // At most kQueueCapacity tasks in flight: neither queue can be full,
      // so neither the parent's puts nor the workers' ever wait.
      bool queued = false;
      for (; next < call.count && next - received < kQueueCapacity; ++next) {
        tasks_->put(Message(call, next));
        queued = true;
      }
      if (queued) WakeWorkers();
      auto slice = kResultSlice;
      if (timeout()) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
          throw PoolTimeout(
              fmt::format("task_queue: {} of {} results after "
                          "{} ms; its workers were killed",
                          received, call.count, timeout()->count()));
        }
        slice =
            std::min(slice, std::chrono::ceil<std::chrono::milliseconds>(left));
      }
      if (auto result = done_->get(slice)) {
        if (result->failed != 0) {
          throw PoolError(
              fmt::format("task_queue: task {} raised", result->index));
        }
        std::memcpy(results + result->index * call.result_size, result->value,
                    call.result_size);
        ++received;
        continue;
      }
      CheckWorkers();
    }
  }

  static TaskMessage Message(const MapCall& call, std::size_t index) {
    TaskMessage message{call.kernel, call.fn, index, call.input_size, {}};
    std::memcpy(message.input, call.inputs + index * call.input_size,
                call.input_size);
    return message;
  }

  // The parent bumps the sequence after queueing and wakes if anyone sleeps;
  // a worker announces itself, reads the sequence, re-checks the queue, then
  // sleeps (the same event count as the process pool's).
  void WakeWorkers() {
    control_->work_seq.fetch_add(1);
    if (control_->sleepers.load() != 0) FutexWake(control_->work_seq, INT_MAX);
  }

  // A worker's life: drain the queue with get_nowait until it is empty,
  // then sleep until more tasks come or the executor stops.
  void Work() {
    for (;;) {
      while (const auto task = tasks_->get_nowait()) {
        ResultMessage result{task->index, 0, {}};
        try {
          // The task's input run as item 0 of a one-item map, so that its
          // result lands at the start of the message.
          task->kernel(task->fn, task->input, result.value, 0, 1);
        } catch (...) {
          result.failed = 1;
        }
        done_->put(result);
      }
      if (control_->stopping.load() != 0) return;
      control_->sleepers.fetch_add(1);
      const std::uint32_t seq = control_->work_seq.load();
      if (tasks_->empty() && control_->stopping.load() == 0)
        FutexWait(control_->work_seq, seq);
      control_->sleepers.fetch_sub(1);
    }
  }

  // Throws when a worker died: its results will never come.
  void CheckWorkers() {
    for (Process& child : children_) {
      if (child.is_alive()) continue;
      throw PoolError(fmt::format("{} (pid {}) {}", child.name(), child.pid(),
                                  DescribeExitCode(*child.exitcode())));
    }
  }

  int workers_;
  std::unique_ptr<SharedSegment> control_segment_;
  Control* control_ = nullptr;
  std::unique_ptr<Queue<TaskMessage>> tasks_;
  std::unique_ptr<Queue<ResultMessage>> done_;
  std::vector<Process> children_;
};

}  // namespace

std::unique_ptr<Executor> MakeTaskQueue(const ExecutorOptions& options) {
  return std::make_unique<TaskQueueExecutor>(options.workers);
}

}  // namespace concbench::internal
