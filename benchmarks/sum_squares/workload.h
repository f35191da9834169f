// sum_squares, the CPU-bound workload: a task computes the seed's
// f() = sum of x*x for x in [0, bound). Two shapes: uniform (every task has
// the same bound) and skewed (task i has bound i, so scheduling matters).
#pragma once

#include <cstdint>
#include <vector>

namespace concbench::sum_squares {

// The task. The empty asm makes each x opaque to the optimiser, so the loop
// can never be folded into the closed form: time stays linear in `bound`.
inline std::uint64_t SumSquaresBelow(std::uint64_t bound) {
  std::uint64_t sum = 0;
  for (std::uint64_t x = 0; x < bound; ++x) {
    std::uint64_t value = x;
    asm("" : "+r"(value));
    sum += value * value;
  }
  return sum;
}

// Wide enough that the closed forms below never overflow before dividing.
__extension__ using Wide = unsigned __int128;

// sum of x^2 for x in [0, n), in closed form.
constexpr std::uint64_t SquaresBelow(std::uint64_t n) {
  if (n == 0) return 0;
  const auto wide = static_cast<Wide>(n);
  return static_cast<std::uint64_t>((wide - 1) * wide * (2 * wide - 1) / 6);
}

// sum of x^3 for x in [0, n), in closed form.
constexpr std::uint64_t CubesBelow(std::uint64_t n) {
  if (n == 0) return 0;
  const auto half = static_cast<Wide>(n - 1) * n / 2;
  return static_cast<std::uint64_t>(half * half);
}

inline std::vector<std::uint64_t> UniformTasks(std::uint64_t tasks,
                                               std::uint64_t bound) {
  return std::vector<std::uint64_t>(tasks, bound);
}

inline std::vector<std::uint64_t> SkewedTasks(std::uint64_t tasks) {
  std::vector<std::uint64_t> bounds(tasks);
  for (std::uint64_t i = 0; i < tasks; ++i) bounds[i] = i;
  return bounds;
}

constexpr std::uint64_t ExpectedUniform(std::uint64_t tasks,
                                        std::uint64_t bound) {
  return tasks * SquaresBelow(bound);
}

// sum over i < T of sum over x < i of x^2 = sum over x < T of x^2 (T-1-x).
constexpr std::uint64_t ExpectedSkewed(std::uint64_t tasks) {
  if (tasks == 0) return 0;
  return (tasks - 1) * SquaresBelow(tasks) - CubesBelow(tasks);
}

// The seed's numbers, checked at compile time.
static_assert(SquaresBelow(10'000) == 333'283'335'000);
static_assert(ExpectedUniform(10'000, 10'000) == 3'332'833'350'000'000);

}  // namespace concbench::sum_squares
