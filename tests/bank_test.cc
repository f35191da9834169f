// bank: every protecting primitive ends at the expected balance, threads and
// processes; the unprotected one loses updates on two CPUs and counts them
// exactly; the contended phase and fairness are counted; a process that dies
// holding an interprocess lock fails the round in bounded time; named
// semaphores are removed. Which primitives a suite covers comes from the
// traits table alone.
#include "bank/bank.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "bank/primitives.h"
#include "bank/score.h"
#include "concbench/affinity.h"
#include "concbench/crew.h"
#include "concbench/process.h"
#include "concbench/shared_memory.h"
#include "expect_error.h"

namespace concbench::bank {
namespace {

using std::chrono::milliseconds;

// The primitives of `Tuple` for which Keep<P>::value holds, as gtest types.
template <template <class> class Keep, class Tuple>
struct Select;
template <template <class> class Keep, class... P>
struct Select<Keep, std::tuple<P...>> {
  template <class... Q>
  static ::testing::Types<Q...> ToTypes(std::tuple<Q...>*);
  using Kept = decltype(std::tuple_cat(
      std::declval<std::conditional_t<Keep<P>::value, std::tuple<P>,
                                      std::tuple<>>>()...));
  using Types = decltype(ToTypes(static_cast<Kept*>(nullptr)));
};

template <class P>
struct IsExact : std::bool_constant<P::kTraits.exact> {};
template <class P>
struct IsSharedExact
    : std::bool_constant<P::kTraits.exact && P::kTraits.process_shared> {};
template <class P>
struct IsSharedLock
    : std::bool_constant<P::kTraits.is_lock && P::kTraits.process_shared> {};
template <class P>
struct IsRacy : std::bool_constant<!P::kTraits.exact> {};

struct PrimitiveName {
  template <class P>
  static std::string GetName(int /*index*/) {
    return std::string(P::kTraits.name);
  }
};

constexpr int kRounds = 20;

template <class P>
void ExpectExactRounds(CrewMode mode, int workers) {
  Params params;
  params.workers = workers;
  params.ops = 5'000;
  Bank<P> bank(mode, params);
  for (int round = 0; round < kRounds; ++round) {
    const RoundResult result = bank.Round();
    ASSERT_EQ(result.expected_balance, kStartBalance);
    ASSERT_EQ(result.final_balance, kStartBalance)
        << P::kTraits.name << " round " << round;
    ASSERT_EQ(result.lost_updates, 0);
    ASSERT_EQ(result.total_ops, workers * params.ops);
    ASSERT_LE(result.contended_ops, result.total_ops);
    ASSERT_LE(result.fewest_contended, result.most_contended);
    ASSERT_LE(result.contended_seconds, result.seconds);
  }
}

template <class P>
class ExactTest : public ::testing::Test {};
using ExactTestTypes = Select<IsExact, Primitives>::Types;
TYPED_TEST_SUITE(ExactTest, ExactTestTypes, PrimitiveName);

TYPED_TEST(ExactTest, ThreadsEndAtTheStartBalance) {
  ExpectExactRounds<TypeParam>(CrewMode::kThreads, 2);
  ExpectExactRounds<TypeParam>(CrewMode::kThreads, 4);
}

TYPED_TEST(ExactTest, LoneWorkerAlternatesAndEndsAtTheStart) {
  ExpectExactRounds<TypeParam>(CrewMode::kThreads, 1);
}

TYPED_TEST(ExactTest, TimeBoxedRoundCountsEveryWorker) {
  Params params;
  params.workers = 2;
  params.time_box = milliseconds(20);
  Bank<TypeParam> bank(CrewMode::kThreads, params);
  const RoundResult result = bank.Round();
  EXPECT_EQ(result.final_balance, result.expected_balance);
  EXPECT_GT(result.total_ops, 0);
  EXPECT_LE(result.fewest_contended, result.most_contended);
  EXPECT_LE(result.contended_ops, result.total_ops);
  EXPECT_GE(result.seconds, 0.015);
  // The box opens when every worker runs and closes before any returns.
  EXPECT_GE(result.contended_seconds, 0.015);
}

TYPED_TEST(ExactTest, LoneWorkerIsContendedThroughout) {
  Params params;
  params.workers = 1;
  params.ops = 1'000;
  Bank<TypeParam> bank(CrewMode::kThreads, params);
  const RoundResult result = bank.Round();
  EXPECT_EQ(result.contended_ops, 1'000);
  EXPECT_EQ(result.fewest_contended, 1'000);
  EXPECT_EQ(result.most_contended, 1'000);
  EXPECT_GT(result.contended_seconds, 0);
}

template <class P>
class SharedExactTest : public ::testing::Test {};
using SharedExactTestTypes = Select<IsSharedExact, Primitives>::Types;
TYPED_TEST_SUITE(SharedExactTest, SharedExactTestTypes, PrimitiveName);

TYPED_TEST(SharedExactTest, ProcessesEndAtTheStartBalance) {
  ExpectExactRounds<TypeParam>(CrewMode::kProcesses, 2);
  ExpectExactRounds<TypeParam>(CrewMode::kProcesses, 4);
}

TEST(BankTest, ThreadOnlyPrimitiveRefusesProcesses) {
  EXPECT_THROW(Bank<StdMutex>(CrewMode::kProcesses, Params{}),
               std::logic_error);
}

// A lost deposit and a lost withdrawal cancel in the balance, not in the
// tally: both count.
TEST(BankTest, TallyCountsLostDepositsAndWithdrawalsApart) {
  std::uint64_t word = 0;
  for (int i = 0; i < 9; ++i) word += TallyUnit(+1) + TallyUnit(-1);
  const Updates applied = TallyIn(static_cast<std::int64_t>(word));
  EXPECT_EQ(applied.deposits, 9);
  EXPECT_EQ(applied.withdrawals, 9);
  const Updates made = UpdatesMade(0, 2, 10);
  EXPECT_EQ(made.deposits, 10);
  EXPECT_EQ(made.withdrawals, 0);
  EXPECT_EQ(UpdatesMade(1, 2, 10).withdrawals, 10);
  EXPECT_EQ(UpdatesMade(0, 1, 7).deposits, 4);
  EXPECT_EQ(UpdatesMade(0, 1, 7).withdrawals, 3);
}

template <class P>
class RacyTest : public ::testing::Test {};
using RacyTestTypes = Select<IsRacy, Primitives>::Types;
TYPED_TEST_SUITE(RacyTest, RacyTestTypes, PrimitiveName);

// One worker races with nobody: nothing is lost, and the balance it reads
// from its tally is exact.
TYPED_TEST(RacyTest, LoneWorkerLosesNothing) {
  Params params;
  params.workers = 1;
  params.ops = 1'001;
  Bank<TypeParam> bank(CrewMode::kThreads, params);
  const RoundResult result = bank.Round();
  EXPECT_EQ(result.lost_updates, 0);
  EXPECT_EQ(result.final_balance, kStartBalance + 1);
  EXPECT_EQ(result.expected_balance, kStartBalance + 1);
}

RoundResult ScoredRound(double seconds, std::int64_t total,
                        double contended_seconds, std::int64_t contended,
                        std::int64_t fewest, std::int64_t most) {
  RoundResult round;
  round.seconds = seconds;
  round.total_ops = total;
  round.contended_seconds = contended_seconds;
  round.contended_ops = contended;
  round.fewest_contended = fewest;
  round.most_contended = most;
  round.final_balance = kStartBalance - 3;
  round.expected_balance = kStartBalance;
  round.lost_updates = 7;
  return round;
}

// The rate counts the contended phases only: an unfair lock's tail (one
// worker done, the other alone) is in round_ops_per_second, not in it.
TEST(BankTest, ScoreRatesTheContendedPhaseAndItsFairness) {
  Score score;
  score.Add(ScoredRound(2.0, 3'000, 1.0, 2'000, 400, 1'600));
  score.Add(ScoredRound(2.0, 3'000, 1.0, 2'000, 1'000, 1'000));
  const auto counters = score.Counters(ScoredRound(0, 0, 0, 0, 0, 0), 2);
  EXPECT_DOUBLE_EQ(counters.at("ops_per_second"), 2'000);
  EXPECT_DOUBLE_EQ(counters.at("ns_per_op"), 5e5);
  EXPECT_DOUBLE_EQ(counters.at("round_ops_per_second"), 1'500);
  EXPECT_DOUBLE_EQ(counters.at("contended_share"), 4'000.0 / 6'000.0);
  EXPECT_DOUBLE_EQ(counters.at("fairness_min"), 400);
  EXPECT_DOUBLE_EQ(counters.at("fairness_max"), 1'600);
  EXPECT_DOUBLE_EQ(counters.at("fairness"), 0.25);
  EXPECT_DOUBLE_EQ(counters.at("balance_error"), 3);
  EXPECT_DOUBLE_EQ(counters.at("lost_updates"), 7);
}

TEST(BankTest, ScoreFallsBackToTheRoundWithoutAContendedPhase) {
  Score score;
  score.Add(ScoredRound(0.5, 1'000, 0, 0, 0, 0));
  const auto counters = score.Counters(ScoredRound(0, 0, 0, 0, 0, 0), 2);
  EXPECT_DOUBLE_EQ(counters.at("ops_per_second"), 2'000);
  EXPECT_DOUBLE_EQ(counters.at("contended_share"), 0);
  EXPECT_DOUBLE_EQ(SecondsPerUpdate(ScoredRound(0.5, 1'000, 0, 0, 0, 0)),
                   0.5 / 1'000);
}

TEST(BankTest, ExpectedBalanceFollowsTheRoles) {
  const std::int64_t lone[] = {7};
  EXPECT_EQ(ExpectedBalance(lone), kStartBalance + 1);
  const std::int64_t pair[] = {10, 4};
  EXPECT_EQ(ExpectedBalance(pair), kStartBalance + 6);
  const std::int64_t four[] = {5, 5, 5, 5};
  EXPECT_EQ(ExpectedBalance(four), kStartBalance);
}

// Two workers on two CPUs: a read-modify-write that is not atomic must lose
// updates within a few rounds of a million each, and the count of lost
// updates is at least how far the balance is off (a lost deposit and a lost
// withdrawal cancel there).
void ExpectLostUpdates(CrewMode mode) {
  const std::vector<int> cpus = AllowedCpus();
  if (cpus.size() < 2)
    GTEST_SKIP() << "needs two CPUs to run two workers truly in parallel; "
                    "this process may use "
                 << cpus.size();
  Params params;
  params.workers = 2;
  params.ops = 1'000'000;
  params.cpus = {cpus[0], cpus[1]};
  Bank<None> bank(mode, params);
  std::int64_t worst = 0;
  for (int round = 0; round < 10 && worst == 0; ++round) {
    const RoundResult result = bank.Round();
    EXPECT_EQ(result.expected_balance, kStartBalance);
    EXPECT_GE(result.lost_updates,
              std::abs(result.final_balance - kStartBalance));
    worst = std::max(worst, result.lost_updates);
  }
  EXPECT_GT(worst, 0) << "no update lost in 10 rounds on CPUs " << cpus[0]
                      << " and " << cpus[1];
}

TEST(BankTest, UnlockedThreadsLoseUpdates) {
  ExpectLostUpdates(CrewMode::kThreads);
}

TEST(BankTest, UnlockedProcessesLoseUpdates) {
  ExpectLostUpdates(CrewMode::kProcesses);
}

template <class P>
class SharedLockTest : public ::testing::Test {};
using SharedLockTestTypes = Select<IsSharedLock, Primitives>::Types;
TYPED_TEST_SUITE(SharedLockTest, SharedLockTestTypes, PrimitiveName);

constexpr auto kBound = std::chrono::seconds(5);

// A worker of the round dies holding the lock: the parent sees the death and
// fails the round at once; the other worker's timed wait bounds its own wait.
TYPED_TEST(SharedLockTest, WorkerDyingWithTheLockFailsTheRound) {
  PrimitiveOptions options;
  options.lock_timeout = milliseconds(200);
  TypeParam primitive(options);
  SharedValue<std::int64_t> balance(kStartBalance, Locking::kNoLock);
  const auto start = std::chrono::steady_clock::now();
  {
    Crew crew(CrewMode::kProcesses, 2, [&](Shift& shift) {
      if (shift.worker() == 0) {
        primitive.lock();
        raise(SIGKILL);
      }
      for (std::int64_t op = 0; op < 1'000'000; ++op)
        primitive.Apply(balance.value(), 1, 0);
      return std::int64_t{1'000'000};
    });
    ExpectErrorContaining([&] { crew.Round(); }, "killed by signal 9");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, kBound);
}

// A process outside the round died holding the lock: every worker's timed
// wait expires and the round fails with the timeout.
TYPED_TEST(SharedLockTest, LockLeftByADeadProcessTimesOut) {
  Params params;
  params.workers = 2;
  params.primitive.lock_timeout = milliseconds(200);
  Bank<TypeParam> bank(CrewMode::kProcesses, params);
  Process holder([&] {
    bank.primitive().lock();
    raise(SIGKILL);
  });
  holder.start();
  ASSERT_TRUE(holder.join(milliseconds(5000)));
  ASSERT_EQ(holder.exitcode(), -SIGKILL);
  const auto start = std::chrono::steady_clock::now();
  ExpectErrorContaining([&] { bank.Round(); }, "not acquired within 200 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, kBound);
}

TEST(BankTest, NamedSemaphoreIsRemoved) {
  std::string path;
  {
    Bank<PosixNamedSemaphore> bank(CrewMode::kProcesses, Params{});
    path = "/dev/shm/sem." + bank.primitive().name();
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
    bank.Round();
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << path;
}

TEST(BankTest, NamedSemaphoreIsRemovedAfterAFailedRound) {
  std::string path;
  {
    Params params;
    params.primitive.lock_timeout = milliseconds(100);
    Bank<PosixNamedSemaphore> bank(CrewMode::kProcesses, params);
    path = "/dev/shm/sem." + bank.primitive().name();
    bank.primitive().lock();  // held by this process: every worker times out
    EXPECT_THROW(bank.Round(), std::runtime_error);
    bank.primitive().unlock();
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << path;
}

}  // namespace
}  // namespace concbench::bank
