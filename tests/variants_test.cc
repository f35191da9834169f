// Every map variant must give exactly serial's results, for both shapes of
// sum_squares, at several sizes and worker counts (more workers than tasks
// and zero tasks included); the process variants must kill their children
// at their timeout.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <numeric>
#include <span>
#include <string>
#include <tuple>

#include "concbench/executor.h"
#include "sum_squares/workload.h"

namespace concbench {
namespace {

std::uint64_t Task(std::uint64_t bound) {
  return sum_squares::SumSquaresBelow(bound);
}

std::vector<std::uint64_t> RunVariant(
    const VariantInfo& variant, int workers, std::size_t chunk,
    const std::vector<std::uint64_t>& bounds) {
  auto executor = MakeExecutor(variant, {workers, chunk});
  std::vector<std::uint64_t> results(bounds.size(), 0xdeadbeef);
  Map(*executor, &Task, std::span<const std::uint64_t>(bounds),
      std::span<std::uint64_t>(results));
  return results;
}

class VariantTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(VariantTest, EqualsSerialForBothShapes) {
  const VariantInfo& variant = FindVariant(GetParam());
  const VariantInfo& serial = FindVariant("serial");
  for (std::uint64_t tasks : {0u, 1u, 7u, 100u}) {
    const auto uniform = sum_squares::UniformTasks(tasks, 1000);
    const auto skewed = sum_squares::SkewedTasks(tasks);
    const auto uniform_expected = RunVariant(serial, 1, 0, uniform);
    const auto skewed_expected = RunVariant(serial, 1, 0, skewed);
    EXPECT_EQ(
        std::accumulate(uniform_expected.begin(), uniform_expected.end(), 0ull),
        sum_squares::ExpectedUniform(tasks, 1000));
    EXPECT_EQ(
        std::accumulate(skewed_expected.begin(), skewed_expected.end(), 0ull),
        sum_squares::ExpectedSkewed(tasks));
    for (int workers : {1, 2, 3, 8}) {
      for (std::size_t chunk :
           {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
        SCOPED_TRACE(testing::Message() << "tasks " << tasks << " workers "
                                        << workers << " chunk " << chunk);
        EXPECT_EQ(RunVariant(variant, workers, chunk, uniform),
                  uniform_expected);
        EXPECT_EQ(RunVariant(variant, workers, chunk, skewed), skewed_expected);
        if (!variant.takes_chunk) break;
      }
    }
  }
}

// More tasks than a pool holds results for at once (16,384) and than the
// suite's largest map (40,000): every variant still completes them.
TEST_P(VariantTest, MapsLargerThanThePoolsHold) {
  const VariantInfo& variant = FindVariant(GetParam());
  const auto bounds = sum_squares::UniformTasks(40'000, 3);
  const auto results = RunVariant(variant, 2, 1, bounds);
  EXPECT_EQ(std::accumulate(results.begin(), results.end(), 0ull),
            sum_squares::ExpectedUniform(40'000, 3));
}

std::vector<std::string_view> VariantNames() {
  std::vector<std::string_view> names;
  for (const VariantInfo& variant : MapVariants())
    names.push_back(variant.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantTest,
                         ::testing::ValuesIn(VariantNames()),
                         [](const auto& info) {
                           return std::string(info.param);
                         });

TEST(VariantRegistryTest, UnknownVariantNamesTheKnownOnes) {
  try {
    FindVariant("fibers");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("process_pool_map"),
              std::string::npos);
  }
}

TEST(VariantRegistryTest, RejectsZeroOrNegativeWorkers) {
  for (const VariantInfo& variant : MapVariants()) {
    EXPECT_THROW(MakeExecutor(variant, {0, 0}), std::invalid_argument)
        << variant.name;
    EXPECT_THROW(MakeExecutor(variant, {-1, 0}), std::invalid_argument)
        << variant.name;
  }
}

// A task that never returns, in a child: only a kill ends it.
std::uint64_t Hang(std::uint64_t) {
  for (;;) pause();
}

TEST(VariantTimeoutTest, VariantsThatHonourTimeoutsKillTheirChildren) {
  int honouring = 0;
  for (const VariantInfo& variant : MapVariants()) {
    if (!variant.honours_timeout) continue;
    ++honouring;
    SCOPED_TRACE(variant.name);
    auto executor = MakeExecutor(variant, {2, 0});
    executor->set_timeout(std::chrono::milliseconds(200));
    const std::vector<std::uint64_t> inputs(4, 0);
    std::vector<std::uint64_t> results(inputs.size());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(Map(*executor, &Hang, std::span<const std::uint64_t>(inputs),
                     std::span<std::uint64_t>(results)),
                 PoolTimeout);
    executor.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start,
              std::chrono::seconds(2));
    int status = 0;
    EXPECT_EQ(waitpid(-1, &status, WNOHANG), -1) << "a child is left";
  }
  EXPECT_GE(honouring, 4);
}

// The traits say what runs where; a variant that runs in processes forks.
TEST(VariantTraitsTest, ProcessesAreForkedAndTimeoutsHonoured) {
  for (const VariantInfo& variant : MapVariants()) {
    SCOPED_TRACE(variant.name);
    const bool processes = variant.runs_in == RunsIn::kProcesses;
    EXPECT_EQ(variant.start_method == StartMethod::kFork, processes);
    EXPECT_EQ(variant.honours_timeout, processes);
    EXPECT_EQ(variant.ProcessesStarted(3), processes ? 3 : 0);
    EXPECT_EQ(variant.takes_workers, variant.runs_in != RunsIn::kInline);
  }
}

TEST(StaticPartitionTest, CoversEveryItemOnce) {
  for (std::size_t count : {0u, 1u, 5u, 10u, 101u}) {
    for (std::size_t parts : {1u, 2u, 3u, 8u}) {
      std::size_t next = 0;
      for (std::size_t i = 0; i < parts; ++i) {
        const auto range = internal::StaticPartition(count, parts, i);
        EXPECT_EQ(range.begin, next);
        EXPECT_LE(range.end - range.begin, count / parts + 1);
        next = range.end;
      }
      EXPECT_EQ(next, count);
    }
  }
}

TEST(SumSquaresTest, SeedFigures) {
  EXPECT_EQ(sum_squares::SumSquaresBelow(10'000), 333'283'335'000u);
  EXPECT_EQ(sum_squares::ExpectedUniform(10'000, 10'000),
            3'332'833'350'000'000u);
  std::uint64_t skewed = 0;
  for (std::uint64_t i = 0; i < 300; ++i)
    skewed += sum_squares::SumSquaresBelow(i);
  EXPECT_EQ(skewed, sum_squares::ExpectedSkewed(300));
}

}  // namespace
}  // namespace concbench
