// sleep_io, the I/O-bound workload: a task sleeps d, then computes a square
// or a cube. The seed: squares and cubes of [2, 3, 8, 9], one worker on the
// squares and one on the cubes, so serial takes 8 d and two workers 4 d.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sleep_io/cancel.h"

namespace concbench::sleep_io {

inline constexpr std::array<std::uint32_t, 4> kValues = {2, 3, 8, 9};

// One task's argument: trivially copyable, so the process pools carry it.
struct Task {
  std::uint32_t value;
  std::uint32_t power;    // 2 (a square) or 3 (a cube)
  std::int64_t sleep_us;  // the sleep before the computation
};

constexpr std::uint64_t Power(std::uint32_t value, std::uint32_t power) {
  std::uint64_t result = 1;
  for (std::uint32_t i = 0; i < power; ++i) result *= value;
  return result;
}

// `count` tasks: squares in the first half, cubes in the second, values
// cycling through kValues. Eight tasks are the seed exactly, and a static
// partition into two parts gives one worker the squares, the other the cubes.
inline std::vector<Task> MakeTasks(std::size_t count, std::int64_t sleep_us) {
  std::vector<Task> tasks(count);
  for (std::size_t i = 0; i < count; ++i) {
    tasks[i] = {kValues[i % kValues.size()], i < count / 2 ? 2u : 3u, sleep_us};
  }
  return tasks;
}

// The task, a plain function: the process pools call it by address in their
// workers. Returns 0 (never a valid result) when the run was cancelled.
inline std::uint64_t RunTask(Task task) {
  if (!CancellableSleep(std::chrono::microseconds(task.sleep_us))) return 0;
  const std::uint64_t result = Power(task.value, task.power);
  SharedControl().done.fetch_add(1, std::memory_order_relaxed);
  return result;
}

// How many results differ from their task's exact value.
inline std::size_t CountWrong(std::span<const Task> tasks,
                              std::span<const std::uint64_t> results) {
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (results[i] != Power(tasks[i].value, tasks[i].power)) ++wrong;
  }
  return wrong;
}

// ceil(count / workers) * d: `workers` blocking workers sleep one after the
// other; an event loop waits on every task at once (workers >= count).
inline std::chrono::nanoseconds IdealMakespan(std::size_t count,
                                              std::size_t workers,
                                              std::int64_t sleep_us) {
  const std::size_t rounds = (count + workers - 1) / workers;
  return std::chrono::microseconds(sleep_us) *
         static_cast<std::int64_t>(rounds);
}

// A run that takes longer than this is stopped and reported: three times the
// ideal, plus five seconds for start-up on a loaded machine (a sanitizer
// build forking 16 children at a load average of 10 took over one).
inline std::chrono::nanoseconds Deadline(std::chrono::nanoseconds ideal) {
  return 3 * ideal + std::chrono::seconds(5);
}

static_assert(Power(9, 3) == 729 && Power(8, 2) == 64);

}  // namespace concbench::sleep_io
