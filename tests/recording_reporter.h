// A Google Benchmark reporter that records, per benchmark function, how many
// runs it reported and the errors of the failed ones (for tests that check
// which runs fail and why).
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace concbench {

class RecordingReporter : public benchmark::BenchmarkReporter {
 public:
  struct Outcome {
    int runs = 0;
    std::vector<std::string> errors;  // one per failed run, in order
  };

  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      Outcome& outcome = outcomes[run.run_name.function_name];
      ++outcome.runs;
      if (run.error_occurred) outcome.errors.push_back(run.error_message);
    }
  }

  // By function name (the benchmark's name without its arguments).
  std::map<std::string, Outcome> outcomes;
};

}  // namespace concbench
