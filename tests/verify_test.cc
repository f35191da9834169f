// A benchmark that fails in some repetitions must be reported as failed, not
// abort the suite: Google Benchmark 1.7 aborts when it aggregates
// repetitions of unequal iteration counts, which an error raised before the
// timed loop would cause (see FailBeforeLoop).
#include "concbench/verify.h"

#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "concbench/suite.h"
#include "recording_reporter.h"

namespace concbench {
namespace {

int g_calls = 0;

TEST(VerifyTest, FailuresBeforeAndInsideTheLoopKeepTheSuiteRunning) {
  // Repetition 2 fails in set-up, repetition 3 in its warm-up, the others
  // pass: Google Benchmark calls the function once per repetition here.
  benchmark::RegisterBenchmark(
      "failing_sometimes",
      [](benchmark::State& state) {
        const int call = ++g_calls;
        if (!FailOnException(state, [&] {
              if (call == 2) throw std::runtime_error("set-up failed");
            })) {
          return;
        }
        TimedLoop(state, [&] {
          if (call == 3) throw std::runtime_error("warm-up failed");
        });
      })
      ->Iterations(3)
      ->Repetitions(4);
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter, nullptr, "failing_sometimes");
  const auto& outcome = reporter.outcomes["failing_sometimes"];
  EXPECT_EQ(outcome.runs, 4);
  EXPECT_EQ(outcome.errors.size(), 2U);
}

}  // namespace
}  // namespace concbench
