// One sleep_io run under a deadline, through a map executor (every variant
// but asio_async), with what the benchmark and the tests check afterwards.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "concbench/executor.h"
#include "sleep_io/watchdog.h"
#include "sleep_io/workload.h"

namespace concbench::sleep_io {

struct Outcome {
  std::chrono::nanoseconds elapsed{0};
  std::uint64_t done = 0;  // tasks that completed
  bool overran = false;    // the deadline fired and cancelled the rest
};

// How long after the deadline a process variant's tasks may still run before
// its children are killed: time for cancelled tasks to return by themselves,
// so that only a task that ignores the cancellation costs its workers.
inline constexpr std::chrono::milliseconds kKillGrace{250};

// Runs `tasks` through `executor` into `results`, cancelling every task once
// `limit` has passed. Returns when every task has returned; rethrows what the
// executor throws, and throws std::runtime_error when a process variant's
// tasks ignored the cancellation (their workers are killed then).
inline Outcome RunMapped(Executor& executor, std::span<const Task> tasks,
                         std::span<std::uint64_t> results, Watchdog& watchdog,
                         std::chrono::nanoseconds limit) {
  Control& control = SharedControl();
  control.done.store(0);
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  executor.set_timeout(std::chrono::ceil<std::chrono::milliseconds>(limit) +
                       kKillGrace);
  watchdog.Arm(limit);
  try {
    Map(executor, &RunTask, tasks, results);
  } catch (const PoolTimeout& e) {
    watchdog.Disarm();
    throw std::runtime_error(fmt::format(
        "deadline exceeded: tasks still ran {} ms after the {:.3f} s limit, "
        "so their workers were killed ({})",
        kKillGrace.count(), std::chrono::duration<double>(limit).count(),
        e.what()));
  } catch (...) {
    watchdog.Disarm();
    throw;
  }
  outcome.elapsed = std::chrono::steady_clock::now() - start;
  outcome.overran = watchdog.Disarm();
  outcome.done = control.done.load();
  return outcome;
}

// Throws std::runtime_error (one line) when the run overran its deadline or
// did not complete every one of `count` tasks.
inline void CheckOutcome(const Outcome& outcome, std::size_t count,
                         std::chrono::nanoseconds limit) {
  using Seconds = std::chrono::duration<double>;
  if (outcome.overran) {
    throw std::runtime_error(fmt::format(
        "deadline exceeded: {} of {} tasks done after {:.3f} s (limit {:.3f} "
        "s = 3 x ideal + 1 s); the rest were cancelled",
        outcome.done, count, Seconds(outcome.elapsed).count(),
        Seconds(limit).count()));
  }
  if (outcome.done != count) {
    throw std::runtime_error(
        fmt::format("{} of {} tasks done", outcome.done, count));
  }
}

}  // namespace concbench::sleep_io
