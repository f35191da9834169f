// A map variant needs nothing but its entry in the variant table: a
// test-only variant added through the table alone appears in every map
// workload's registration (every worker count, both chunk forms, the
// one-per-task form), carries its traits into --list=json, and its
// counters come from those traits. Its own executable: the added variant
// must not leak into other tests.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "concbench/describe.h"
#include "concbench/executor.h"
#include "concbench/suite.h"

namespace concbench {
namespace {

constexpr std::string_view kProbe = "test_probe";

// Threads under another name, with every optional form switched on.
const VariantInfo& Probe() {
  static const VariantInfo probe = [] {
    VariantInfo info = FindVariant("threads");
    info.name = kProbe;
    info.per_task_form = true;
    info.takes_chunk = true;
    return info;
  }();
  return probe;
}

// Records the counters of every run.
class CountersReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) errors.push_back(run.error_message);
      for (const auto& [key, counter] : run.counters)
        counters[run.benchmark_name()][key] = counter.value;
    }
  }
  std::vector<std::string> errors;
  std::map<std::string, std::map<std::string, double>> counters;
};

class VariantTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { internal::AddVariantForTest(Probe()); }

  static std::vector<BenchmarkSpec> Suite() {
    SuiteConfig config;
    config.mode = SuiteMode::kSmoke;
    config.cores = 2;
    return BuildSuite(config);
  }
};

TEST_F(VariantTableTest, AppearsInEveryMapWorkloadWithItsTraits) {
  const std::vector<BenchmarkSpec> suite = Suite();
  // The map workloads: those that register serial with map traits.
  std::set<std::string> workloads;
  for (const BenchmarkSpec& spec : suite) {
    if (spec.traits.contains("runs_in")) workloads.insert(spec.name.workload());
  }
  EXPECT_EQ(workloads, (std::set<std::string>{"sleep_io", "sum_squares",
                                              "sum_squares_skewed"}));
  for (const std::string& workload : workloads) {
    SCOPED_TRACE(workload);
    std::set<std::string> chunks;
    std::set<std::string> workers;
    for (const BenchmarkSpec& spec : suite) {
      if (spec.name.workload() != workload || spec.name.variant() != kProbe)
        continue;
      EXPECT_EQ(spec.traits, MapTraits(Probe()));
      EXPECT_EQ(Describe(spec)["traits"]["per_task_form"], "true");
      for (const auto& [key, value] : spec.name.params()) {
        if (key == "chunk") chunks.insert(value);
        if (key == "workers") workers.insert(value);
      }
    }
    EXPECT_EQ(chunks, (std::set<std::string>{"auto", "1"}));
    EXPECT_TRUE(workers.contains("1") && workers.contains("2"));
  }
  // The one-per-task form of sleep_io's scaled shape (16 tasks in smoke).
  bool per_task = false;
  for (const BenchmarkSpec& spec : suite) {
    per_task |= spec.name.str() ==
                "sleep_io/test_probe/tasks:16/sleep_ms:1/workers:16/chunk:auto";
  }
  EXPECT_TRUE(per_task);
}

TEST_F(VariantTableTest, ItsCountersComeFromItsTraits) {
  std::vector<std::string> names;
  for (BenchmarkSpec& spec : Suite()) {
    if (spec.name.workload() != "sleep_io" || spec.name.variant() != kProbe)
      continue;
    names.push_back(spec.name.str());
    benchmark::RegisterBenchmark(names.back().c_str(), spec.run)
        ->Iterations(1)
        ->UseRealTime();
  }
  ASSERT_FALSE(names.empty());
  CountersReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();
  EXPECT_TRUE(reporter.errors.empty()) << reporter.errors.front();
  for (const auto& [name, counters] : reporter.counters) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(counters.contains("workers"));
    const int workers = static_cast<int>(counters.at("workers"));
    EXPECT_EQ(counters.at("threads_created"), Probe().ThreadsStarted(workers));
    EXPECT_EQ(counters.at("threads_created"), workers);
    EXPECT_EQ(counters.at("processes_created"), 0);
    EXPECT_TRUE(counters.contains("cpu_seconds"));
  }
  EXPECT_EQ(reporter.counters.size(), names.size());
}

}  // namespace
}  // namespace concbench
