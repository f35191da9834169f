#include "concbench/queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "concbench/process.h"

namespace concbench {
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

}  // namespace
}  // namespace concbench
