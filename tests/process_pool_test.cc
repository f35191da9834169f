#include "concbench/process_pool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

namespace concbench {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::int64_t Square(std::int64_t x) { return x * x; }

// Later inputs finish first: the order of completion is the reverse of the
// order of submission.
std::int64_t SquareSlowFirst(std::int64_t x) {
  std::this_thread::sleep_for(std::chrono::microseconds((64 - x % 64) * 50));
  return x * x;
}

int SleepMs(int ms) {
  std::this_thread::sleep_for(milliseconds(ms));
  return ms;
}

int Throws(int x) {
  if (x == 3) throw std::runtime_error("three is not allowed");
  return x;
}

// Task 20 kills its own worker with SIGKILL, as `kill -9` would.
int DieAtTwenty(int x) {
  if (x == 20) kill(getpid(), SIGKILL);
  std::this_thread::sleep_for(milliseconds(2));
  return x;
}

struct Pair {
  std::int32_t a;
  double b;
};
Pair SwapPair(Pair p) {
  return {static_cast<std::int32_t>(p.b), static_cast<double>(p.a)};
}

std::vector<std::int64_t> Iota(std::int64_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(ProcessPoolTest, MapKeepsInputOrder) {
  ProcessPool pool(3);
  const auto inputs = Iota(500);
  for (std::size_t chunk : {0u, 1u, 7u, 1000u}) {
    const auto results = pool.map(&SquareSlowFirst,
                                  std::span<const std::int64_t>(inputs), chunk);
    ASSERT_EQ(results.size(), inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      ASSERT_EQ(results[i], inputs[i] * inputs[i])
          << "chunk " << chunk << " item " << i;
    }
  }
}

TEST(ProcessPoolTest, MapOfNothingIsEmpty) {
  ProcessPool pool(2);
  const std::vector<std::int64_t> none;
  EXPECT_TRUE(pool.map(&Square, std::span<const std::int64_t>(none)).empty());
}

TEST(ProcessPoolTest, CarriesStructs) {
  ProcessPool pool(2);
  const Pair result = pool.apply(&SwapPair, Pair{3, 4.0});
  EXPECT_EQ(result.a, 4);
  EXPECT_EQ(result.b, 3.0);
}

TEST(ProcessPoolTest, ApplyAsyncCompletesOutOfOrder) {
  ProcessPool pool(2);
  auto slow = pool.apply_async(&SleepMs, 400);
  auto fast = pool.apply_async(&SleepMs, 10);
  const auto start = Clock::now();
  while (!fast.ready() && Clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(fast.ready());
  EXPECT_FALSE(slow.ready());
  EXPECT_EQ(fast.get(), 10);
  EXPECT_EQ(slow.get(), 400);
}

TEST(ProcessPoolTest, MapAsyncAndApply) {
  ProcessPool pool(2);
  const auto inputs = Iota(100);
  auto pending =
      pool.map_async(&Square, std::span<const std::int64_t>(inputs), 5);
  EXPECT_EQ(pool.apply(&Square, std::int64_t{12}), 144);
  const auto results = pending.get(milliseconds(10000));
  EXPECT_EQ(results[99], 99 * 99);
}

TEST(ProcessPoolTest, GetTimesOut) {
  ProcessPool pool(1);
  auto result = pool.apply_async(&SleepMs, 500);
  const auto start = Clock::now();
  EXPECT_THROW(result.get(milliseconds(50)), PoolTimeout);
  EXPECT_LT(Clock::now() - start, milliseconds(400));
  EXPECT_EQ(result.get(), 500);  // still arrives afterwards
}

TEST(ProcessPoolTest, TaskExceptionFailsThatResultOnly) {
  ProcessPool pool(2);
  try {
    pool.apply(&Throws, 3);
    FAIL() << "expected PoolError";
  } catch (const PoolError& e) {
    EXPECT_NE(std::string(e.what()).find("three is not allowed"),
              std::string::npos);
  }
  EXPECT_EQ(pool.apply(&Throws, 4), 4);
}

TEST(ProcessPoolTest, KilledWorkerFailsMapInBoundedTime) {
  ProcessPool pool(2);
  std::vector<int> inputs(200);
  std::iota(inputs.begin(), inputs.end(), 0);
  const auto start = Clock::now();
  try {
    pool.map(&DieAtTwenty, std::span<const int>(inputs), 1);
    FAIL() << "expected PoolError";
  } catch (const PoolError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("signal 9"), std::string::npos) << message;
    EXPECT_NE(message.find("worker"), std::string::npos) << message;
  }
  // 200 tasks of 2 ms on 2 workers take 200 ms; the error comes well within 1
  // s.
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  // The pool stays broken, and says why.
  EXPECT_THROW(pool.apply(&Square, std::int64_t{2}), PoolError);
}

TEST(ProcessPoolTest, KilledWorkerFailsPendingAsyncResults) {
  ProcessPool pool(2);
  auto a = pool.apply_async(&SleepMs, 3000);
  auto b = pool.apply_async(&SleepMs, 3000);
  std::this_thread::sleep_for(milliseconds(50));
  kill(pool.pids()[1], SIGKILL);
  const auto start = Clock::now();
  EXPECT_THROW(a.get(), PoolError);
  EXPECT_THROW(b.get(), PoolError);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
}

TEST(ProcessPoolTest, DestructorReapsEveryWorker) {
  std::vector<pid_t> pids;
  {
    ProcessPool pool(3);
    pids = pool.pids();
    auto busy = pool.apply_async(&SleepMs, 5000);  // abandoned while running
  }
  for (pid_t pid : pids) {
    EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1);
    EXPECT_EQ(kill(pid, 0), -1) << "worker " << pid << " still exists";
  }
}

TEST(ProcessPoolTest, CloseThenJoinFinishesSubmittedWork) {
  ProcessPool pool(2);
  auto result = pool.apply_async(&SleepMs, 50);
  pool.close();
  EXPECT_THROW(pool.apply(&Square, std::int64_t{1}), PoolError);
  pool.join();
  EXPECT_EQ(result.get(), 50);
}

TEST(ProcessPoolTest, JoinWithoutCloseThrows) {
  ProcessPool pool(1);
  EXPECT_THROW(pool.join(), PoolError);
}

TEST(ProcessPoolTest, TerminateFailsPendingResults) {
  ProcessPool pool(1);
  auto result = pool.apply_async(&SleepMs, 5000);
  pool.terminate();
  EXPECT_THROW(result.get(), PoolError);
}

TEST(ProcessPoolTest, ResultOutlivingPoolFailsCleanly) {
  std::optional<AsyncResult<int>> result;
  {
    ProcessPool pool(1);
    result.emplace(pool.apply_async(&SleepMs, 5000));
  }
  EXPECT_THROW(result->get(), PoolError);
}

TEST(ProcessPoolTest, RejectsZeroOrNegativeWorkers) {
  EXPECT_THROW(ProcessPool(0), std::invalid_argument);
  EXPECT_THROW(ProcessPool(-2), std::invalid_argument);
}

TEST(ProcessPoolTest, ManyMoreTasksThanTheRingHolds) {
  ProcessPool pool(2);
  const auto inputs = Iota(40000);
  const auto results =
      pool.map(&Square, std::span<const std::int64_t>(inputs), 1);
  EXPECT_EQ(results[39999], std::int64_t{39999} * 39999);
}

// The arena grows over its segment as calls need more (each growth
// allocated first), up to Options::arena_bytes, and says so beyond it.
TEST(ProcessPoolTest, ArenaGrowsToItsLimitAndNoFurther) {
  ProcessPool::Options options;
  options.arena_bytes = std::size_t{12} << 20;
  ProcessPool pool(2, options);
  std::vector<std::int64_t> inputs(std::size_t{1} << 19);  // 4 MiB each way
  std::iota(inputs.begin(), inputs.end(), 0);
  const auto results = pool.map(&Square, std::span<const std::int64_t>(inputs));
  ASSERT_EQ(results.size(), inputs.size());
  for (std::size_t i = 0; i < inputs.size(); i += 4099)
    EXPECT_EQ(results[i], inputs[i] * inputs[i]);
  EXPECT_EQ(results.back(), inputs.back() * inputs.back());
  std::vector<std::int64_t> too_many(std::size_t{1} << 20);  // 16 MiB
  EXPECT_THROW(pool.map(&Square, std::span<const std::int64_t>(too_many)),
               PoolError);
}

}  // namespace
}  // namespace concbench
