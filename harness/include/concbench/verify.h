// Result checks for benchmarks: a wrong result is a failed run, never a
// number in a chart.
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <exception>
#include <string>
#include <string_view>

#include "concbench/contain.h"

namespace concbench {

// Marks the run failed (SkipWithError, so the binary exits non-zero) when
// `got` differs from `expected`. Returns whether they matched. Call after
// the timed loop, from the benchmark's thread.
template <class T>
bool Verify(benchmark::State& state, std::string_view what, const T& got,
            const T& expected) {
  if (got == expected) return true;
  const std::string message = fmt::format(
      "verification failed: {} is {}, expected {}", what, got, expected);
  state.SkipWithError(message.c_str());
  return false;
}

namespace internal {

// Fails a run whose timed loop has not started. Google Benchmark 1.7 counts
// zero iterations for an error raised before the loop and then aborts the
// whole suite when it aggregates repetitions of unequal iteration counts; an
// error raised inside the loop keeps the count. So the failure is raised in
// a loop entered for that purpose only.
inline void FailBeforeLoop(benchmark::State& state,
                           const std::string& message) {
  for (auto _ : state) {
    state.SkipWithError(message.c_str());
    break;
  }
  CurrentLoopStage() = LoopStage::kDone;
}

}  // namespace internal

// Runs `body` before the timed loop (set-up); an exception it throws marks
// the run failed with its message. Do not call it after the loop.
template <class Body>
bool FailOnException(benchmark::State& state, Body&& body) {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    internal::FailBeforeLoop(state, e.what());
    return false;
  }
}

}  // namespace concbench
