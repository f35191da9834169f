// The task_queue variant beyond agreeing with serial (variants_test): runs
// reuse its queues and its workers (forked once, at set-up), a map larger
// than the queue completes, and a worker that dies fails the run in bounded
// time instead of leaving the parent waiting for results that never come.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <numeric>
#include <set>
#include <vector>

#include "child_pids.h"
#include "concbench/executor.h"

namespace concbench {
namespace {

std::uint64_t Twice(std::uint64_t x) { return 2 * x; }

std::uint64_t DieOnSeven(std::uint64_t x) {
  if (x == 7) _exit(9);
  return x;
}

TEST(TaskQueueTest, RepeatedRunsGiveTheSameResults) {
  auto executor = MakeExecutor(FindVariant("task_queue"), {2, 0});
  std::vector<std::uint64_t> inputs(300);
  std::iota(inputs.begin(), inputs.end(), 0);
  for (int run = 0; run < 3; ++run) {
    std::vector<std::uint64_t> results(inputs.size());
    Map(*executor, &Twice, std::span<const std::uint64_t>(inputs),
        std::span<std::uint64_t>(results));
    for (std::size_t i = 0; i < inputs.size(); ++i)
      ASSERT_EQ(results[i], 2 * i) << "run " << run;
  }
}

std::set<pid_t> Children() {
  const std::vector<pid_t> pids = ChildPids();
  return {pids.begin(), pids.end()};
}

// Like the pools, the workers start at set-up: no run forks.
TEST(TaskQueueTest, WorkersAreForkedOnceAtSetUp) {
  auto executor = MakeExecutor(FindVariant("task_queue"), {2, 0});
  const std::set<pid_t> workers = Children();
  ASSERT_EQ(workers.size(), 2u);
  std::vector<std::uint64_t> inputs(5000);
  std::iota(inputs.begin(), inputs.end(), 0);
  std::vector<std::uint64_t> results(inputs.size());
  for (int run = 0; run < 3; ++run) {
    Map(*executor, &Twice, std::span<const std::uint64_t>(inputs),
        std::span<std::uint64_t>(results));
    EXPECT_EQ(results[4999], 9998u);
    EXPECT_EQ(Children(), workers) << "run " << run;
  }
  executor.reset();
  EXPECT_TRUE(Children().empty());
}

TEST(TaskQueueTest, DeadWorkerFailsTheRunInBoundedTime) {
  auto executor = MakeExecutor(FindVariant("task_queue"), {2, 0});
  std::vector<std::uint64_t> inputs(50);
  std::iota(inputs.begin(), inputs.end(), 0);
  std::vector<std::uint64_t> results(inputs.size());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(
      Map(*executor, &DieOnSeven, std::span<const std::uint64_t>(inputs),
          std::span<std::uint64_t>(results)),
      std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The executor still works after the failure.
  Map(*executor, &Twice, std::span<const std::uint64_t>(inputs),
      std::span<std::uint64_t>(results));
  EXPECT_EQ(results[49], 98u);
}

}  // namespace
}  // namespace concbench
