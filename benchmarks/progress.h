// What a person watching `make bench` sees: "[k/N] name (repetition r/R)"
// on stderr as each repetition starts (overwritten in place on a terminal),
// and Google Benchmark's table on stdout. Also counts failed runs, which
// decide the exit status.
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

 private:
  void Started(const std::string& name, int repetition);

  std::size_t total_runs_;
  int repetitions_;
  std::size_t started_ = 0;
  bool terminal_;
};

// The display reporter --benchmark_format asks for (json, or the console
// table; Google Benchmark ignores that flag once a reporter is given, and
// its csv reporter is deprecated), plus a count of failed runs.
class CountingReporter : public benchmark::BenchmarkReporter {
 public:
  explicit CountingReporter(std::string_view format);
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;
  int failed() const { return failed_; }

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> display_;
  int failed_ = 0;
};

}  // namespace concbench
