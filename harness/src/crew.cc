#include "concbench/crew.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <exception>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include "concbench/affinity.h"
#include "concbench/cache_line.h"
#include "concbench/clock.h"
#include "concbench/process.h"
#include "concbench/shared_memory.h"
#include "concbench/sync.h"

namespace concbench {
namespace {

// The phase word of a round: how many bodies have started, whether one has
// returned, whether the time box is over.
constexpr std::uint32_t kRunningMask = (1u << 30) - 1;
constexpr std::uint32_t kFirstFinished = 1u << 30;
constexpr std::uint32_t kStopped = 1u << 31;

// The crew's control block, at the start of its shared segment; the laps
// follow, one line each.
struct Control {
  alignas(kCacheLine) std::atomic<std::uint32_t> round{0};
  alignas(kCacheLine) std::atomic<std::uint32_t> arrived{0};
  alignas(kCacheLine) std::atomic<std::uint32_t> done{0};
  // Read by every worker on every unit of work, written a few times a round.
  alignas(kCacheLine) std::atomic<std::uint32_t> phase{0};
  alignas(kCacheLine) std::atomic<std::uint32_t> quit{0};
  std::atomic<std::uint32_t> failed{0};
  std::int64_t start_ns = 0;  // when the last worker reached the start line
  char error[256] = {};
};

// A lap on a line of its own: counts written during a round never share a
// line with another worker's.
struct alignas(kCacheLine) Slot {
  Lap lap;
};

}  // namespace

struct Crew::State {
  explicit State(int count)
      : segment(sizeof(Control) + sizeof(Slot) * static_cast<size_t>(count)),
        control(new (segment.data()) Control()),
        slots(reinterpret_cast<Slot*>(control + 1)) {
    for (int i = 0; i < count; ++i) new (slots + i) Slot();
  }

  void Fail(const std::string& message) {
    std::uint32_t expected = 0;
    if (!control->failed.compare_exchange_strong(expected, 1)) return;
    const size_t length = std::min(message.size(), sizeof(control->error) - 1);
    std::memcpy(control->error, message.data(), length);
    control->error[length] = '\0';
  }

  SharedSegment segment;
  Control* control;
  Slot* slots;
  std::vector<std::jthread> threads;
  std::vector<Process> processes;
};

bool Shift::Observe(std::uint32_t phase, std::int64_t done) {
  seen_ = phase;
  if (!saw_all_running_ && (phase & kRunningMask) == count_) {
    lap_->ops_at_all_running = done;
    saw_all_running_ = true;
  }
  if (!saw_first_finish_ && (phase & kFirstFinished) != 0) {
    lap_->ops_at_first_finish = done;
    saw_first_finish_ = true;
  }
  stopped_ = (phase & kStopped) != 0;
  return stopped_;
}

Crew::Crew(CrewMode mode, int count, Body body, std::vector<int> cpus)
    : count_(count), body_(std::move(body)), cpus_(std::move(cpus)) {
  if (count < 1 || static_cast<std::uint32_t>(count) > kRunningMask)
    throw std::invalid_argument(fmt::format("a crew of {} workers", count));
  state_ = std::make_unique<State>(count);
  result_.laps.resize(static_cast<size_t>(count));
  state_->threads.reserve(static_cast<size_t>(count));
  state_->processes.reserve(static_cast<size_t>(count));
  try {
    for (int i = 0; i < count; ++i) StartWorker(mode, i);
  } catch (...) {
    Stop();
    throw;
  }
}

Crew::~Crew() { Stop(); }

void Crew::StartWorker(CrewMode mode, int worker) {
  const std::string name = fmt::format("crew-worker-{}", worker);
  try {
    if (mode == CrewMode::kThreads) {
      state_->threads.emplace_back([this, worker] { WorkerLoop(worker); });
    } else {
      Process& process = state_->processes.emplace_back(
          [this, worker] { WorkerLoop(worker); }, name);
      try {
        process.start();
      } catch (...) {
        state_->processes.pop_back();  // Stop() joins started ones only
        throw;
      }
    }
  } catch (const std::exception& e) {
    // The reason (fork's or the thread's errno) goes with the name.
    throw std::runtime_error(
        fmt::format("{} was not started: {}", name, e.what()));
  }
}

void Crew::Stop() {
  Control& control = *state_->control;
  // A round that threw in its time box left the bodies running: stop them.
  control.phase.fetch_or(kStopped, std::memory_order_relaxed);
  control.quit.store(1, std::memory_order_release);
  control.round.fetch_add(1, std::memory_order_release);
  FutexWake(control.round, INT_MAX);
  for (auto& thread : state_->threads) thread.join();
  state_->threads.clear();
  for (auto& process : state_->processes) process.join(std::chrono::seconds(1));
}

const CrewRound& Crew::Round(
    std::optional<std::chrono::microseconds> time_box) {
  Control& control = *state_->control;
  const auto count = static_cast<std::uint32_t>(count_);
  control.done.store(0, std::memory_order_relaxed);
  control.phase.store(0, std::memory_order_relaxed);
  control.arrived.store(0, std::memory_order_relaxed);
  control.round.fetch_add(1, std::memory_order_release);
  FutexWake(control.round, INT_MAX);
  if (time_box) {
    // The box opens when every body runs.
    for (int spin = 1; (control.phase.load(std::memory_order_acquire) &
                        kRunningMask) != count;
         ++spin) {
      std::this_thread::yield();
      if (spin % 256 == 0) ThrowIfAWorkerDied();
      if (control.failed.load(std::memory_order_acquire) != 0) break;
    }
    std::this_thread::sleep_for(*time_box);
    control.phase.fetch_or(kStopped, std::memory_order_relaxed);
  }
  for (;;) {
    const std::uint32_t done = control.done.load(std::memory_order_acquire);
    if (done == count) break;
    FutexWait(control.done, done, std::chrono::milliseconds(10));
    ThrowIfAWorkerDied();
  }
  if (control.failed.load(std::memory_order_acquire) != 0)
    throw std::runtime_error(control.error);
  std::int64_t last_start = std::numeric_limits<std::int64_t>::min();
  std::int64_t first_finish = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_finish = std::numeric_limits<std::int64_t>::min();
  for (int i = 0; i < count_; ++i) {
    const Lap& lap = state_->slots[i].lap;
    result_.laps[static_cast<size_t>(i)] = lap;
    last_start = std::max(last_start, lap.start_ns);
    first_finish = std::min(first_finish, lap.finish_ns);
    last_finish = std::max(last_finish, lap.finish_ns);
  }
  result_.seconds = static_cast<double>(last_finish - control.start_ns) * 1e-9;
  result_.contended_seconds = static_cast<double>(std::max<std::int64_t>(
                                  first_finish - last_start, 0)) *
                              1e-9;
  return result_;
}

void Crew::WorkerLoop(int worker) {
  // A failed pin fails every round (the flag stays set), in a thread too,
  // where an escaping exception would terminate the program.
  try {
    if (!cpus_.empty())
      PinThisThread(cpus_[static_cast<size_t>(worker) % cpus_.size()]);
  } catch (const std::exception& e) {
    state_->Fail(fmt::format("worker {}: {}", worker, e.what()));
  }
  Control& control = *state_->control;
  Lap& lap = state_->slots[worker].lap;
  const auto count = static_cast<std::uint32_t>(count_);
  std::uint32_t seen = 0;
  for (;;) {
    seen = AwaitRound(seen);
    if (control.quit.load(std::memory_order_acquire) != 0) return;
    // The start line: spinning, not sleeping, so all leave at once; the
    // yield lets a worker that is not running yet get a CPU. The last to
    // arrive starts the round's clock, since the parent may not be running
    // when the workers start.
    if (control.arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == count)
      control.start_ns = NowNs();
    while (control.arrived.load(std::memory_order_acquire) != count) {
      // A worker that died before the line: the crew is being stopped.
      if (control.quit.load(std::memory_order_acquire) != 0) return;
      std::this_thread::yield();
    }
    lap = Lap{};
    Shift shift(worker, count, &control.phase, &lap);
    std::int64_t ops = 0;
    lap.start_ns = NowNs();
    control.phase.fetch_add(1, std::memory_order_acq_rel);
    try {
      ops = body_(shift);
    } catch (const std::exception& e) {
      state_->Fail(fmt::format("worker {}: {}", worker, e.what()));
    }
    lap.finish_ns = NowNs();
    control.phase.fetch_or(kFirstFinished, std::memory_order_acq_rel);
    lap.ops = ops;
    if (!shift.saw_all_running_) lap.ops_at_all_running = ops;
    if (!shift.saw_first_finish_) lap.ops_at_first_finish = ops;
    if (control.done.fetch_add(1, std::memory_order_acq_rel) + 1 == count)
      FutexWake(control.done, 1);
  }
}

// Spins briefly first: back to back rounds then start without a futex
// wake-up.
std::uint32_t Crew::AwaitRound(std::uint32_t seen) {
  std::atomic<std::uint32_t>& round = state_->control->round;
  for (int spin = 0; spin < 4096; ++spin) {
    const std::uint32_t now = round.load(std::memory_order_acquire);
    if (now != seen) return now;
    CpuRelax();
  }
  for (;;) {
    const std::uint32_t now = round.load(std::memory_order_acquire);
    if (now != seen) return now;
    FutexWait(round, seen);
  }
}

void Crew::ThrowIfAWorkerDied() {
  for (auto& process : state_->processes) {
    if (process.is_alive()) continue;
    throw std::runtime_error(
        fmt::format("{} {} during a round", process.name(),
                    DescribeExitCode(process.exitcode().value())));
  }
}

}  // namespace concbench
