// The workers of a bank run: `count` threads or forked processes, started once
// and reused for every round, so a round's time holds the updates and not the
// cost of starting workers. Rounds start together at a barrier (a futex on a
// round counter in shared memory) and end when every worker reported back.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/futex.h"
#include "concbench/process.h"
#include "concbench/shared_memory.h"

namespace concbench::bank {

enum class Mode { kThreads, kProcesses };

constexpr std::string_view ModeName(Mode mode) {
  return mode == Mode::kThreads ? "threads" : "processes";
}

class Crew {
 public:
  // Runs once per round in worker `worker`: returns the operations it did.
  // `stop` turns non-zero when a time-boxed round ends. An exception fails
  // the round with its message.
  using Body = std::function<std::int64_t(
      int worker, const std::atomic<std::uint32_t>& stop)>;

  // Starts the workers. Worker i is pinned to cpus[i % cpus.size()] when
  // `cpus` is not empty. Throws std::system_error if a fork fails.
  Crew(Mode mode, int count, Body body, std::vector<int> cpus = {})
      : count_(count),
        body_(std::move(body)),
        cpus_(std::move(cpus)),
        segment_(sizeof(Control) + sizeof(Slot) * static_cast<size_t>(count)),
        control_(new (segment_.data()) Control()),
        slots_(reinterpret_cast<Slot*>(control_ + 1)),
        ops_(static_cast<size_t>(count)) {
    for (int i = 0; i < count; ++i) new (slots_ + i) Slot();
    threads_.reserve(static_cast<size_t>(count));
    processes_.reserve(static_cast<size_t>(count));
    try {
      for (int i = 0; i < count; ++i) {
        if (mode == Mode::kThreads) {
          threads_.emplace_back([this, i] { WorkerLoop(i); });
        } else {
          processes_.emplace_back([this, i] { WorkerLoop(i); },
                                  fmt::format("bank-worker-{}", i));
          processes_.back().start();
        }
      }
    } catch (...) {
      Stop();
      throw;
    }
  }

  ~Crew() { Stop(); }
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;

  // Runs one round: releases every worker (they start together from a start
  // line) and, when `time_box` is given, raises `stop` that long after all
  // started; then waits for all. Returns the operations each worker did;
  // seconds() is the round's time from the start line. Throws
  // std::runtime_error when a worker failed or died (its death is seen within
  // 10 ms, so a dead lock holder never hangs the run).
  std::span<const std::int64_t> Round(
      std::optional<std::chrono::microseconds> time_box = std::nullopt) {
    Control& control = *control_;
    control.done.store(0, std::memory_order_relaxed);
    control.stop.store(0, std::memory_order_relaxed);
    control.arrived.store(0, std::memory_order_relaxed);
    control.round.fetch_add(1, std::memory_order_release);
    internal::FutexWake(control.round, INT_MAX);
    if (time_box) {
      // The box opens when every worker has left the start line.
      for (int spin = 1;
           control.arrived.load(std::memory_order_acquire) != Count(); ++spin) {
        std::this_thread::yield();
        if (spin % 256 == 0) ThrowIfAWorkerDied();
      }
      std::this_thread::sleep_for(*time_box);
      control.stop.store(1, std::memory_order_relaxed);
    }
    for (;;) {
      const std::uint32_t done = control.done.load(std::memory_order_acquire);
      if (done == Count()) break;
      internal::FutexWait(control.done, done, std::chrono::milliseconds(10));
      ThrowIfAWorkerDied();
    }
    std::int64_t end_ns = 0;
    for (int i = 0; i < count_; ++i)
      end_ns = std::max(end_ns, slots_[i].end_ns);
    seconds_ = static_cast<double>(end_ns - control.start_ns) * 1e-9;
    if (control.failed.load(std::memory_order_acquire) != 0)
      throw std::runtime_error(control.error);
    for (int i = 0; i < count_; ++i) ops_[i] = slots_[i].ops;
    return ops_;
  }

  // The last round's wall time, from the start line to the last report.
  double seconds() const { return seconds_; }

 private:
  struct Control {
    alignas(64) std::atomic<std::uint32_t> round{0};
    alignas(64) std::atomic<std::uint32_t> arrived{0};
    alignas(64) std::atomic<std::uint32_t> done{0};
    alignas(64) std::atomic<std::uint32_t> stop{0};
    std::atomic<std::uint32_t> quit{0};
    std::atomic<std::uint32_t> failed{0};
    std::int64_t start_ns = 0;  // when the last worker reached the start line
    char error[256] = {};
  };
  // One line per worker: counts written at the end of a round never share a
  // line with another worker's.
  struct alignas(64) Slot {
    std::int64_t ops = 0;
    std::int64_t end_ns = 0;  // when this worker finished its round
  };

  // Ends every worker. One stuck on a lock whose holder died is killed by
  // ~Process after a second.
  void Stop() {
    control_->quit.store(1, std::memory_order_release);
    control_->round.fetch_add(1, std::memory_order_release);
    internal::FutexWake(control_->round, INT_MAX);
    for (auto& thread : threads_) thread.join();
    for (auto& process : processes_) process.join(std::chrono::seconds(1));
  }

  void WorkerLoop(int worker) {
    // A failed pin fails every round (the flag stays set), in a thread too,
    // where an escaping exception would terminate the program.
    try {
      if (!cpus_.empty())
        PinThisThread(cpus_[static_cast<size_t>(worker) % cpus_.size()]);
    } catch (const std::exception& e) {
      Fail(fmt::format("worker {}: {}", worker, e.what()));
    }
    Control& control = *control_;
    std::uint32_t seen = 0;
    for (;;) {
      seen = AwaitRound(seen);
      if (control.quit.load(std::memory_order_acquire) != 0) return;
      // The start line: spinning, not sleeping, so all leave at once; the
      // yield lets a worker that is not running yet get a CPU. The last to
      // arrive starts the clock: the workers time the round themselves
      // (CLOCK_MONOTONIC is one clock for every process), since the parent
      // may not be running when they start.
      if (control.arrived.fetch_add(1, std::memory_order_acq_rel) + 1 ==
          Count())
        control.start_ns = NowNs();
      while (control.arrived.load(std::memory_order_acquire) != Count()) {
        // A worker that died before the line: the crew is being stopped.
        if (control.quit.load(std::memory_order_acquire) != 0) return;
        std::this_thread::yield();
      }
      try {
        slots_[worker].ops = body_(worker, control.stop);
      } catch (const std::exception& e) {
        Fail(fmt::format("worker {}: {}", worker, e.what()));
      }
      slots_[worker].end_ns = NowNs();
      const std::uint32_t done =
          control.done.fetch_add(1, std::memory_order_acq_rel) + 1;
      if (done == Count()) internal::FutexWake(control.done, 1);
    }
  }

  // Waits for the round after `seen`; returns it. Spins briefly first: back
  // to back rounds then start without a futex wake-up.
  std::uint32_t AwaitRound(std::uint32_t seen) {
    std::atomic<std::uint32_t>& round = control_->round;
    for (int spin = 0; spin < 4096; ++spin) {
      const std::uint32_t now = round.load(std::memory_order_acquire);
      if (now != seen) return now;
      internal::CpuRelax();
    }
    for (;;) {
      const std::uint32_t now = round.load(std::memory_order_acquire);
      if (now != seen) return now;
      internal::FutexWait(round, seen);
    }
  }

  void Fail(const std::string& message) {
    std::uint32_t expected = 0;
    if (!control_->failed.compare_exchange_strong(expected, 1)) return;
    const size_t length = std::min(message.size(), sizeof(control_->error) - 1);
    std::memcpy(control_->error, message.data(), length);
    control_->error[length] = '\0';
  }

  void ThrowIfAWorkerDied() {
    for (auto& process : processes_) {
      if (process.is_alive()) continue;
      throw std::runtime_error(fmt::format(
          "{} {} during a round", process.name(),
          concbench::internal::DescribeExitCode(process.exitcode().value())));
    }
  }

  static std::int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  std::uint32_t Count() const { return static_cast<std::uint32_t>(count_); }

  int count_;
  double seconds_ = 0;
  Body body_;
  std::vector<int> cpus_;
  SharedSegment segment_;
  Control* control_;
  Slot* slots_;
  std::vector<std::int64_t> ops_;
  std::vector<std::jthread> threads_;
  std::vector<Process> processes_;
};

}  // namespace concbench::bank
