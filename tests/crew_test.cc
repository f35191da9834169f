// Crew: threads and processes run every round from a start line and report
// their work; a time box ends the shifts; the contended phase is the time
// every worker runs; a failed or dead worker fails the round.
#include "concbench/crew.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "expect_error.h"

namespace concbench {
namespace {

using std::chrono::milliseconds;

class CrewTest : public ::testing::TestWithParam<CrewMode> {};

INSTANTIATE_TEST_SUITE_P(Modes, CrewTest,
                         ::testing::Values(CrewMode::kThreads,
                                           CrewMode::kProcesses),
                         [](const auto& info) {
                           return std::string(CrewModeName(info.param));
                         });

TEST_P(CrewTest, EveryWorkerReportsItsWorkEveryRound) {
  Crew crew(GetParam(), 3, [](Shift& shift) {
    const std::int64_t ops = 100 * (shift.worker() + 1);
    std::int64_t done = 0;
    while (!shift.Tally(done) && done < ops) ++done;
    return done;
  });
  for (int round = 0; round < 5; ++round) {
    const CrewRound& result = crew.Round();
    ASSERT_EQ(result.laps.size(), 3u);
    for (int worker = 0; worker < 3; ++worker) {
      const Lap& lap = result.laps[static_cast<size_t>(worker)];
      EXPECT_EQ(lap.ops, 100 * (worker + 1));
      EXPECT_LE(lap.start_ns, lap.finish_ns);
      EXPECT_LE(lap.contended_ops(), lap.ops);
    }
    EXPECT_LE(result.contended_seconds, result.seconds);
  }
}

TEST_P(CrewTest, TimeBoxEndsTheShifts) {
  Crew crew(GetParam(), 2, [](Shift& shift) {
    std::int64_t done = 0;
    while (!shift.Tally(done)) ++done;
    return done;
  });
  const CrewRound& result = crew.Round(milliseconds(20));
  EXPECT_GE(result.seconds, 0.019);
  // Every worker runs from before the box opens until after it closes
  // (though on a busy machine one may get no CPU inside the box).
  EXPECT_GE(result.contended_seconds, 0.019);
  for (const Lap& lap : result.laps) {
    EXPECT_LE(lap.start_ns, lap.finish_ns);
    EXPECT_LE(lap.contended_ops(), lap.ops);
  }
}

TEST(CrewOneModeTest, LoneWorkerIsContendedThroughout) {
  Crew crew(CrewMode::kThreads, 1, [](Shift& shift) {
    std::int64_t done = 0;
    while (!shift.Tally(done) && done < 1000) ++done;
    return done;
  });
  const CrewRound& result = crew.Round();
  EXPECT_EQ(result.laps[0].contended_ops(), 1000);
  EXPECT_GT(result.contended_seconds, 0);
}

// Worker 1 returns at once; worker 0 works on for 100 ms: the work it does
// after worker 1 returned is outside the contended phase.
TEST(CrewOneModeTest, ContendedPhaseEndsAtTheFirstFinish) {
  Crew crew(CrewMode::kThreads, 2, [](Shift& shift) {
    std::int64_t done = 0;
    if (shift.worker() == 1) {
      shift.Tally(done);
      return done;
    }
    const auto end = std::chrono::steady_clock::now() + milliseconds(100);
    while (!shift.Tally(done) && std::chrono::steady_clock::now() < end) ++done;
    return done;
  });
  const CrewRound& result = crew.Round();
  EXPECT_GE(result.seconds, 0.099);
  EXPECT_LT(result.contended_seconds, result.seconds / 2);
  EXPECT_LT(result.laps[0].contended_ops(), result.laps[0].ops);
  EXPECT_EQ(result.laps[1].contended_ops(), 0);
}

TEST_P(CrewTest, AnExceptionFailsTheRoundWithItsMessage) {
  Crew crew(GetParam(), 2, [](Shift& shift) -> std::int64_t {
    if (shift.worker() == 1) throw std::runtime_error("boom");
    return 1;
  });
  EXPECT_EQ(ErrorOf([&] { crew.Round(); }), "worker 1: boom");
}

TEST(CrewOneModeTest, ADeadWorkerFailsTheRound) {
  Crew crew(CrewMode::kProcesses, 2, [](Shift& shift) -> std::int64_t {
    if (shift.worker() == 1) raise(SIGKILL);
    return 1;
  });
  ExpectErrorContaining([&] { crew.Round(); }, "killed by signal 9");
}

TEST(CrewOneModeTest, RefusesAnEmptyCrew) {
  EXPECT_THROW(Crew(CrewMode::kThreads, 0, [](Shift&) { return 0; }),
               std::invalid_argument);
}

}  // namespace
}  // namespace concbench
