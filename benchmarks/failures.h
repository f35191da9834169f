// The repetitions that failed in a run, counted as each one ends, whatever
// Google Benchmark's display shows: with --benchmark_display_aggregates_only
// the display gets only the aggregates once two repetitions passed, and the
// aggregates skip failed ones. The count decides the exit status; the
// summary line names the failed benchmarks.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace concbench {

class FailedRepetitions {
 public:
  // Records repetition `repetition` (1-based) of `name` when `state` ended
  // with an error (SkipWithError: in its JSON as error_message). Call once
  // per call of the benchmark's function, after it returned: Google
  // Benchmark ends a repetition at its first failed call.
  void RecordIfFailed(const benchmark::State& state, const std::string& name,
                      int repetition);

  int count() const { return count_; }

  // "2 of 40 repetitions failed: a (repetition 2), b (repetitions 1, 3)";
  // empty when none failed.
  std::string Summary(std::size_t total_repetitions) const;

 private:
  // Per failed benchmark, in order of its first failure: its repetitions.
  std::vector<std::pair<std::string, std::vector<int>>> failed_;
  int count_ = 0;
};

}  // namespace concbench
