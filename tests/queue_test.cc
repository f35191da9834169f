#include "concbench/queue.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "concbench/process.h"

namespace concbench {
namespace internal {

struct QueueTestAccess {
  template <class T>
  static void Lock(Queue<T>& queue) {
    queue.header_->mutex.lock();
  }
};

}  // namespace internal
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST(QueueTest, OneProducerIsFifo) {
  Queue<int> queue(100);
  for (int i = 0; i < 100; ++i) queue.put(i);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(queue.get(), i);
}

TEST(QueueTest, FifoAcrossWrapAround) {
  Queue<int> queue(3);
  for (int i = 0; i < 10; ++i) {
    queue.put(i);
    EXPECT_EQ(queue.get(), i);
  }
}

TEST(QueueTest, FullAndEmptyAtTheBounds) {
  Queue<int> queue(2);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.full());
  EXPECT_EQ(queue.qsize(), 0u);
  queue.put(1);
  EXPECT_FALSE(queue.empty());
  EXPECT_FALSE(queue.full());
  queue.put(2);
  EXPECT_TRUE(queue.full());
  EXPECT_EQ(queue.qsize(), 2u);
  EXPECT_FALSE(queue.put_nowait(3));
  EXPECT_FALSE(queue.put(3, milliseconds(20)));
  queue.get();
  queue.get();
  EXPECT_TRUE(queue.empty());
}

TEST(QueueTest, GetNowaitOnEmptyReportsEmpty) {
  Queue<int> queue(4);
  EXPECT_EQ(queue.get_nowait(), std::nullopt);
  queue.put(7);
  EXPECT_EQ(queue.get_nowait(), 7);
  EXPECT_EQ(queue.get_nowait(), std::nullopt);
}

TEST(QueueTest, GetWithTimeoutExpires) {
  Queue<int> queue(4);
  const auto start = Clock::now();
  EXPECT_EQ(queue.get(milliseconds(50)), std::nullopt);
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, milliseconds(45));
  EXPECT_LT(waited, milliseconds(2000));
}

TEST(QueueTest, GetWaitsForAThreadsPut) {
  Queue<int> queue(1);
  std::thread producer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    queue.put(42);
  });
  EXPECT_EQ(queue.get(milliseconds(5000)), 42);
  producer.join();
}

TEST(QueueTest, ZeroCapacityIsRejected) {
  EXPECT_THROW(Queue<int>(0), std::invalid_argument);
}

// Two child processes put 500 items each through a queue of 8 slots; each
// producer's items arrive in its order, and none is lost.
struct Item {
  int producer;
  int index;
};

TEST(QueueTest, ProcessesProduceIntoOneQueue) {
  Queue<Item> queue(8);
  std::vector<Process> producers;
  for (int p = 0; p < 2; ++p) {
    producers.emplace_back([&queue, p] {
      for (int i = 0; i < 500; ++i) queue.put({p, i});
    });
    producers.back().start();
  }
  int next[2] = {0, 0};
  for (int n = 0; n < 1000; ++n) {
    const auto item = queue.get(milliseconds(5000));
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(item->index, next[item->producer]++);
  }
  for (Process& producer : producers) {
    ASSERT_TRUE(producer.join(milliseconds(5000)));
    EXPECT_EQ(producer.exitcode(), 0);
  }
  EXPECT_TRUE(queue.empty());
}

// A peer that dies holding the queue's internal lock: after `delay`, a child
// takes the lock and is SIGKILLed.
template <class T>
Process DieHoldingTheLock(Queue<T>& queue, milliseconds delay) {
  Process holder(
      [&queue, delay] {
        std::this_thread::sleep_for(delay);
        internal::QueueTestAccess::Lock(queue);
        raise(SIGKILL);
      },
      "lock holder");
  holder.start();
  return holder;
}

// Runs `scenario` in a child process under a deadline: a hang is killed and
// fails the test instead of blocking it. The scenario throws to fail.
void ExpectWithin(milliseconds limit, std::function<void()> scenario) {
  Process child(std::move(scenario), "scenario");
  child.start();
  if (!child.join(limit)) {
    child.kill();
    child.join();
    FAIL() << "the scenario hung past " << limit.count() << " ms";
  }
  EXPECT_EQ(child.exitcode(), 0) << "the scenario failed (see stderr)";
}

void Require(bool condition, const std::string& what) {
  if (!condition) throw std::runtime_error(what);
}

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// The seed of issue 15: a get waiting on an empty queue while a peer takes
// the lock and dies returns by its timeout (Boost's mutex hung it for ever).
TEST(QueueTest, TimedGetReturnsWhenAPeerDiesHoldingTheLock) {
  Queue<int> queue(4);
  ExpectWithin(milliseconds(10000), [&queue] {
    Process holder = DieHoldingTheLock(queue, milliseconds(100));
    const auto start = Clock::now();
    Require(!queue.get(milliseconds(600)).has_value(), "an item from nowhere");
    const auto waited = Since(start);
    Require(waited >= milliseconds(590) && waited < milliseconds(3000),
            "get(600 ms) took " + std::to_string(waited.count()) + " ms");
    Require(holder.join(milliseconds(5000)), "the holder did not die");
  });
  // The queue works on, and counts the one lock it took over.
  EXPECT_TRUE(queue.put(7, milliseconds(1000)));
  EXPECT_EQ(queue.get(milliseconds(1000)), 7);
  EXPECT_EQ(queue.lock_recoveries(), 1u);
}

// The same for a put waiting on a full queue; the items before it survive,
// in order.
TEST(QueueTest, TimedPutReturnsWhenAPeerDiesHoldingTheLock) {
  Queue<int> queue(2);
  queue.put(1);
  queue.put(2);
  ExpectWithin(milliseconds(10000), [&queue] {
    Process holder = DieHoldingTheLock(queue, milliseconds(100));
    const auto start = Clock::now();
    Require(!queue.put(3, milliseconds(600)), "a put into a full queue");
    const auto waited = Since(start);
    Require(waited >= milliseconds(590) && waited < milliseconds(3000),
            "put(600 ms) took " + std::to_string(waited.count()) + " ms");
    Require(holder.join(milliseconds(5000)), "the holder did not die");
  });
  EXPECT_EQ(queue.qsize(), 2u);
  EXPECT_EQ(queue.get(milliseconds(1000)), 1);
  EXPECT_EQ(queue.get(milliseconds(1000)), 2);
  EXPECT_EQ(queue.lock_recoveries(), 1u);
}

// A lock left held by a dead peer is taken over at once by a timed call,
// not after its timeout.
TEST(QueueTest, ALockLeftByADeadPeerIsTakenOverAtOnce) {
  Queue<int> queue(4);
  queue.put(5);
  Process holder = DieHoldingTheLock(queue, milliseconds(0));
  ASSERT_TRUE(holder.join(milliseconds(5000)));
  EXPECT_EQ(holder.exitcode(), -SIGKILL);
  ExpectWithin(milliseconds(10000), [&queue] {
    const auto start = Clock::now();
    Require(queue.get(milliseconds(5000)) == 5, "the item was lost");
    Require(Since(start) < milliseconds(1000), "the take-over waited");
  });
  EXPECT_EQ(queue.lock_recoveries(), 1u);
}

// An untimed get waiting through a peer's death still gets the next item.
TEST(QueueTest, UntimedGetOutlivesAPeerDyingHoldingTheLock) {
  Queue<int> queue(4);
  ExpectWithin(milliseconds(10000), [&queue] {
    Process getter([&queue] { Require(queue.get() == 9, "a wrong item"); },
                   "getter");
    getter.start();
    Process holder = DieHoldingTheLock(queue, milliseconds(50));
    Require(holder.join(milliseconds(5000)), "the holder did not die");
    Require(queue.put(9, milliseconds(1000)), "no room");
    Require(getter.join(milliseconds(5000)), "the getter hung");
    Require(getter.exitcode() == 0, "the getter failed");
  });
}

}  // namespace
}  // namespace concbench
