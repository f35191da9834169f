// sleep_io: every variant computes every value and completes every task, the
// waiting really overlaps where the model says it does, and a stuck task ends
// its run with an error in bounded time, leaving no thread, child or segment.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "child_pids.h"
#include "concbench/executor.h"
#include "expect_error.h"
#include "sleep_io/event_loop.h"
#include "sleep_io/runner.h"

namespace concbench::sleep_io {

// Names the style in test output instead of its bytes (found by ADL, so
// outside the anonymous namespace).
void PrintTo(Style style, std::ostream* out) { *out << StyleName(style); }

namespace {

using namespace std::chrono_literals;

// Builds `variant` (after the shared control block, which its forked workers
// must inherit), runs `tasks` once under `limit` and destroys it again.
Outcome RunVariant(std::string_view variant, ExecutorOptions options,
                   std::span<const Task> tasks,
                   std::span<std::uint64_t> results,
                   std::chrono::nanoseconds limit) {
  SharedControl();
  auto executor = MakeExecutor(FindVariant(variant), options);
  Watchdog watchdog;
  return RunMapped(*executor, tasks, results, watchdog, limit);
}

std::vector<std::string_view> MapVariantNames() {
  std::vector<std::string_view> names;
  for (const VariantInfo& variant : MapVariants())
    names.push_back(variant.name);
  return names;
}

// This process's shared-memory segments (names carry "-<pid>-").
int SegmentCount() {
  const std::string mark = "-" + std::to_string(getpid()) + "-";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
    if (entry.path().filename().string().find(mark) != std::string::npos)
      ++count;
  }
  return count;
}

bool HasChildren() {
  int status = 0;
  return !(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
}

// An exited thread leaves /proc/self/task a moment after its join returns.
void ExpectThreadsBackTo(int baseline) {
  for (int i = 0; i < 100 && ThreadCount() != baseline; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(ThreadCount(), baseline);
}

TEST(SleepIoWorkloadTest, EightTasksAreTheSeed) {
  const auto tasks = MakeTasks(8, 200'000);
  std::vector<std::uint64_t> values;
  for (const Task& task : tasks)
    values.push_back(Power(task.value, task.power));
  EXPECT_EQ(values,
            (std::vector<std::uint64_t>{4, 9, 64, 81, 8, 27, 512, 729}));
  EXPECT_EQ(IdealMakespan(8, 1, 200'000), 1600ms);
  EXPECT_EQ(IdealMakespan(8, 2, 200'000), 800ms);
  EXPECT_EQ(IdealMakespan(10'000, 10'000, 10'000), 10ms);
  EXPECT_EQ(Deadline(800ms), 7400ms);
}

class SleepIoVariantTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(SleepIoVariantTest, EveryValueAndEveryTask) {
  const VariantInfo& variant = FindVariant(GetParam());
  for (std::size_t count : {1u, 8u, 13u}) {
    for (int workers : {1, 2, 3, static_cast<int>(count)}) {
      for (std::size_t chunk : {std::size_t{0}, std::size_t{1}}) {
        SCOPED_TRACE(testing::Message() << "tasks " << count << " workers "
                                        << workers << " chunk " << chunk);
        const auto tasks = MakeTasks(count, 1000);
        std::vector<std::uint64_t> results(count, 0);
        const auto limit = Deadline(IdealMakespan(count, workers, 1000));
        const Outcome outcome =
            RunVariant(variant.name, {workers, chunk}, tasks, results, limit);
        EXPECT_FALSE(outcome.overran);
        EXPECT_EQ(outcome.done, count);
        EXPECT_EQ(CountWrong(tasks, results), 0u);
        EXPECT_NO_THROW(CheckOutcome(outcome, count, limit));
        if (!variant.takes_chunk) break;
      }
      if (!variant.takes_workers) break;
    }
  }
}

// A task that would sleep an hour: the watchdog must cancel the run at its
// limit, and the variant must clean up after itself.
TEST_P(SleepIoVariantTest, StuckTaskEndsWithAnErrorAndLeavesNothing) {
  SharedControl();
  {
    // A first run starts what a library keeps for later (oneTBB's threads
    // belong to its global pool, not to the run).
    const auto tasks = MakeTasks(2, 1000);
    std::vector<std::uint64_t> results(tasks.size(), 0);
    RunVariant(GetParam(), {2, 0}, tasks, results, 1s);
  }
  const int threads = ThreadCount();
  const int segments = SegmentCount();
  auto tasks = MakeTasks(6, 1000);
  tasks[3].sleep_us = 3'600'000'000;
  std::vector<std::uint64_t> results(tasks.size(), 0);
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = RunVariant(GetParam(), {2, 0}, tasks, results, 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(outcome.overran);
  EXPECT_LT(outcome.done, tasks.size());
  EXPECT_THROW(CheckOutcome(outcome, tasks.size(), 300ms), std::runtime_error);
  EXPECT_FALSE(HasChildren());
  EXPECT_EQ(SegmentCount(), segments);
  ExpectThreadsBackTo(threads);
}

INSTANTIATE_TEST_SUITE_P(AllMapVariants, SleepIoVariantTest,
                         ::testing::ValuesIn(MapVariantNames()),
                         [](const auto& info) {
                           return std::string(info.param);
                         });

TEST(SleepIoRunTest, TheNextRunAfterACancelledOneCompletes) {
  SharedControl();
  auto executor = MakeExecutor(FindVariant("threads"), {2, 0});
  Watchdog watchdog;
  auto tasks = MakeTasks(4, 1000);
  std::vector<std::uint64_t> results(tasks.size(), 0);
  tasks[0].sleep_us = 3'600'000'000;
  EXPECT_TRUE(RunMapped(*executor, tasks, results, watchdog, 100ms).overran);
  tasks[0].sleep_us = 1000;
  const Outcome outcome = RunMapped(*executor, tasks, results, watchdog, 1s);
  EXPECT_FALSE(outcome.overran);
  EXPECT_EQ(outcome.done, tasks.size());
  EXPECT_EQ(CountWrong(tasks, results), 0u);
}

// Workers that cannot see the cancellation (stopped here, as a hung worker
// would be) cost their pool: kKillGrace after the deadline it is terminated.
// Every variant whose processes start at set-up and honour a timeout.
TEST(SleepIoRunTest, StuckPoolWorkersAreKilledAfterTheGrace) {
  SharedControl();
  for (const VariantInfo& variant : MapVariants()) {
    if (variant.runs_in != RunsIn::kProcesses ||
        variant.starts_workers_per_run || !variant.honours_timeout)
      continue;
    SCOPED_TRACE(variant.name);
    const int segments = SegmentCount();
    auto executor = MakeExecutor(variant, {2, 0});
    const std::vector<pid_t> workers = ChildPids();
    ASSERT_EQ(workers.size(), 2u);
    for (pid_t worker : workers) kill(worker, SIGSTOP);
    Watchdog watchdog;
    const auto tasks = MakeTasks(4, 1000);
    std::vector<std::uint64_t> results(tasks.size(), 0);
    const auto start = std::chrono::steady_clock::now();
    ExpectErrorContaining(
        [&] { RunMapped(*executor, tasks, results, watchdog, 200ms); },
        "workers were killed");
    executor.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start,
              200ms + kKillGrace + 1s);
    EXPECT_FALSE(HasChildren());
    EXPECT_EQ(SegmentCount(), segments);
  }
}

TEST(SleepIoRunTest, OneThreadPerTaskOverlapsTheSleeps) {
  const auto tasks = MakeTasks(50, 20'000);
  std::vector<std::uint64_t> results(tasks.size(), 0);
  const Outcome outcome = RunVariant("threads", {50, 0}, tasks, results, 5s);
  EXPECT_EQ(outcome.done, tasks.size());
  EXPECT_LT(outcome.elapsed, 500ms);  // one after the other: 1 s
}

class SleepIoEventLoopTest : public ::testing::TestWithParam<Style> {};

TEST_P(SleepIoEventLoopTest, EveryValueAndEveryTask) {
  for (std::size_t count : {1u, 8u, 100u}) {
    const auto tasks = MakeTasks(count, 1000);
    std::vector<std::uint64_t> results(count, 0);
    const Outcome outcome = RunOnEventLoop(GetParam(), tasks, results, 1s);
    EXPECT_FALSE(outcome.overran);
    EXPECT_EQ(outcome.done, count);
    EXPECT_EQ(CountWrong(tasks, results), 0u);
  }
}

TEST_P(SleepIoEventLoopTest, OneThreadWaitsOnEverySleepAtOnce) {
  const int threads = ThreadCount();
  const auto tasks = MakeTasks(1000, 20'000);
  std::vector<std::uint64_t> results(tasks.size(), 0);
  const Outcome outcome = RunOnEventLoop(GetParam(), tasks, results, 5s);
  EXPECT_EQ(outcome.done, tasks.size());
  EXPECT_LT(outcome.elapsed, 500ms);  // one after the other: 20 s
  EXPECT_EQ(ThreadCount(), threads);
}

TEST_P(SleepIoEventLoopTest, StuckTaskEndsWithAnError) {
  auto tasks = MakeTasks(6, 1000);
  tasks[3].sleep_us = 3'600'000'000;
  std::vector<std::uint64_t> results(tasks.size(), 0);
  const Outcome outcome = RunOnEventLoop(GetParam(), tasks, results, 300ms);
  EXPECT_TRUE(outcome.overran);
  EXPECT_EQ(outcome.done, tasks.size() - 1);
  EXPECT_LT(outcome.elapsed, 2s);
  EXPECT_THROW(CheckOutcome(outcome, tasks.size(), 300ms), std::runtime_error);
}

INSTANTIATE_TEST_SUITE_P(BothStyles, SleepIoEventLoopTest,
                         ::testing::Values(Style::kCallbacks,
                                           Style::kCoroutines),
                         [](const auto& info) {
                           return std::string(StyleName(info.param));
                         });

}  // namespace
}  // namespace concbench::sleep_io
