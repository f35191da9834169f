// Result checks for benchmarks: a wrong result is a failed run, never a
// number in a chart.
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string_view>

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

// Runs `body`; an exception it throws marks the run failed with its message.
template <class Body>
bool FailOnException(benchmark::State& state, Body&& body) {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return false;
  }
}

}  // namespace concbench
