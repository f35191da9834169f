// An exception that escapes a benchmark outside its timed loop fails that
// run, with the reason as its error, and the suite goes on (issue 15, item
// 3): before, it escaped RunSpecifiedBenchmarks, aborted the run and its
// JSON was deleted.
#include "concbench/contain.h"

#include <benchmark/benchmark.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "concbench/suite.h"
#include "recording_reporter.h"

namespace concbench {
namespace {

void Register(const char* name, std::function<void(benchmark::State&)> body) {
  benchmark::RegisterBenchmark(
      name,
      [body = std::move(body)](benchmark::State& s) { RunContained(s, body); })
      ->Iterations(3)
      ->Repetitions(2);
}

TEST(ContainTest, SetUpAndTearDownFailuresFailOnlyTheirRun) {
  Register("contain_setup", [](benchmark::State&) {
    throw std::runtime_error("cannot create threads: EAGAIN");
  });
  Register("contain_teardown", [](benchmark::State& state) {
    TimedLoop(state, [] {});
    throw std::runtime_error("cannot remove the segment");
  });
  Register("contain_not_std", [](benchmark::State&) { throw 42; });
  Register("contain_passes",
           [](benchmark::State& state) { TimedLoop(state, [] {}); });
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(
      &reporter, nullptr, "^contain_(setup|teardown|not_std|passes)/");

  const auto& setup = reporter.outcomes["contain_setup"];
  ASSERT_EQ(setup.runs, 2);
  ASSERT_EQ(setup.errors.size(), 2U);
  EXPECT_EQ(setup.errors[0], "set-up failed: cannot create threads: EAGAIN");

  const auto& teardown = reporter.outcomes["contain_teardown"];
  ASSERT_EQ(teardown.runs, 2);
  ASSERT_EQ(teardown.errors.size(), 2U);
  EXPECT_EQ(teardown.errors[0], "tear-down failed: cannot remove the segment");

  const auto& not_std = reporter.outcomes["contain_not_std"];
  ASSERT_EQ(not_std.errors.size(), 2U);
  EXPECT_NE(not_std.errors[0].find("not a std::exception"), std::string::npos);

  const auto& passes = reporter.outcomes["contain_passes"];
  EXPECT_EQ(passes.runs, 2);
  EXPECT_TRUE(passes.errors.empty());
}

// An exception that unwinds a forked child into the runner must end that
// child, never let it run the parent's suite.
TEST(ContainTest, AForkedChildsExceptionEndsTheChild) {
  pid_t child = 0;
  benchmark::RegisterBenchmark("contain_forked", [&child](benchmark::State& s) {
    RunContained(s, [&child](benchmark::State& state) {
      child = fork();
      if (child == 0) throw std::runtime_error("thrown in the child");
      TimedLoop(state, [] {});
    });
  })->Iterations(1);
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter, nullptr, "^contain_forked/");
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_TRUE(reporter.outcomes["contain_forked"].errors.empty());
}

}  // namespace
}  // namespace concbench
