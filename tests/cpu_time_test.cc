// cpu_seconds counts the whole process tree: live pool workers (read from
// their CPU clocks), reaped children (RUSAGE_CHILDREN) and the forkserver's
// children (its wait4, reported with the exit status), and a child's time
// does not vanish when it is reaped. The children burn a fixed amount
// of their own CPU time, so nothing here depends on the machine's speed.
#include "concbench/cpu_time.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "concbench/process.h"
#include "concbench/process_pool.h"
#include "concbench/start_method.h"

namespace concbench {
namespace {

constexpr double kBurnSeconds = 0.05;

double OwnCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec * 1e-9;
}

// Spins until this process has used kBurnSeconds more CPU time.
std::int32_t Burn(std::int32_t value) {
  const double until = OwnCpuSeconds() + kBurnSeconds;
  while (OwnCpuSeconds() < until) {
  }
  return value;
}

void BurnEntry(std::span<const std::byte>) { Burn(0); }

TEST(CpuTimeTest, LivePoolWorkersAreCounted) {
  ProcessPool pool(1);
  const double pool_before = pool.workers_cpu_seconds();
  const double tree_before = ProcessTreeCpuSeconds();
  ASSERT_EQ(pool.apply(&Burn, 3), 3);
  EXPECT_GE(pool.workers_cpu_seconds() - pool_before, kBurnSeconds);
  EXPECT_GE(ProcessTreeCpuSeconds() - tree_before, kBurnSeconds);
}

TEST(CpuTimeTest, ReapedChildrenStayCounted) {
  const double before = ProcessTreeCpuSeconds();
  Process child([] { Burn(0); });
  child.start();
  ASSERT_TRUE(child.join());
  ASSERT_EQ(child.exitcode(), 0);
  EXPECT_GE(ProcessTreeCpuSeconds() - before, kBurnSeconds);
}

// The server's child is not this process's: without the server's report its
// time would be in no clock this process reads.
TEST(CpuTimeTest, ForkserverChildrenAreCounted) {
  const double before = ProcessTreeCpuSeconds();
  Process child(PortableTarget{&BurnEntry}, StartMethod::kForkserver);
  child.start();
  ASSERT_TRUE(child.join());
  ASSERT_EQ(child.exitcode(), 0);
  // rusage's microseconds may round each of user and system time down.
  const double counted = ProcessTreeCpuSeconds() - before;
  EXPECT_GE(counted, kBurnSeconds - 1e-5);
  EXPECT_LT(counted, 100 * kBurnSeconds);
}

}  // namespace
}  // namespace concbench
