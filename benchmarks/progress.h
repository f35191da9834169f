// What a person watching `make bench` sees: "[k/N] name (repetition r/R)"
// on stderr as each repetition starts (overwritten in place on a terminal),
// and Google Benchmark's table on stdout.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace concbench {

class Progress {
 public:
  Progress(std::size_t benchmarks, int repetitions);

  // Wraps a benchmark function so that it reports each repetition it starts.
  std::function<void(benchmark::State&)> Wrap(
      std::string name, std::function<void(benchmark::State&)> run);

  // Ends the in-place line on a terminal.
  void Finish();

  // The repetition (1-based) of the benchmark that runs now, as counted
  // for the progress line; 0 before the first.
  int repetition() const { return repetition_; }

  // Every benchmark's repetitions together.
  std::size_t total_runs() const { return total_runs_; }

 private:
  void Started(const std::string& name, int repetition);

  std::size_t total_runs_;
  int repetitions_;
  std::size_t started_ = 0;
  int repetition_ = 0;
  bool terminal_;
};

// The display reporter --benchmark_format asks for (json, or the console
// table; Google Benchmark ignores that flag once a reporter is given, and
// its csv reporter is deprecated). What it shows decides nothing: failed
// repetitions are counted apart (failures.h).
class DisplayReporter : public benchmark::BenchmarkReporter {
 public:
  explicit DisplayReporter(std::string_view format);
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> display_;
};

}  // namespace concbench
