#include "concbench/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace concbench {
namespace {

using std::chrono::milliseconds;

int g_global = 0;

void SleepLong() { std::this_thread::sleep_for(std::chrono::seconds(30)); }

TEST(ProcessTest, ReturnExitsZero) {
  Process process([] {});
  process.start();
  EXPECT_TRUE(process.join());
  EXPECT_EQ(process.exitcode(), 0);
}

TEST(ProcessTest, ExitStatusIsReported) {
  Process process([] { _exit(3); });
  process.start();
  process.join();
  EXPECT_EQ(process.exitcode(), 3);
}

TEST(ProcessTest, ExceptionExitsOne) {
  Process process([] { throw std::runtime_error("boom"); });
  process.start();
  process.join();
  EXPECT_EQ(process.exitcode(), 1);
}

TEST(ProcessTest, DeathBySignalIsMinusSignal) {
  Process process([] { raise(SIGUSR1); });
  process.start();
  process.join();
  EXPECT_EQ(process.exitcode(), -SIGUSR1);
}

TEST(ProcessTest, JoinTimesOutWhileRunningThenTerminate) {
  Process process(SleepLong);
  EXPECT_FALSE(process.is_alive());
  EXPECT_FALSE(process.exitcode().has_value());
  process.start();
  EXPECT_GT(process.pid(), 0);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(process.join(milliseconds(100)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(100));
  EXPECT_TRUE(process.is_alive());
  EXPECT_FALSE(process.exitcode().has_value());
  process.terminate();
  EXPECT_TRUE(process.join(milliseconds(5000)));
  EXPECT_FALSE(process.is_alive());
  EXPECT_EQ(process.exitcode(), -SIGTERM);
}

TEST(ProcessTest, KillEndsWithSigkill) {
  Process process(SleepLong);
  process.start();
  process.kill();
  process.join();
  EXPECT_EQ(process.exitcode(), -SIGKILL);
}

TEST(ProcessTest, NamesDefaultAndExplicit) {
  Process named([] {}, "worker-a");
  EXPECT_EQ(named.name(), "worker-a");
  Process unnamed([] {});
  EXPECT_EQ(unnamed.name().rfind("Process-", 0), 0u);
  Process other([] {});
  EXPECT_NE(unnamed.name(), other.name());
}

TEST(ProcessTest, ChildWritesAreNotSeenByParent) {
  g_global = 0;
  Process process([] {
    g_global = 42;
    if (g_global != 42) _exit(2);
  });
  process.start();
  process.join();
  EXPECT_EQ(process.exitcode(), 0);
  EXPECT_EQ(g_global, 0);
}

TEST(ProcessTest, StartTwiceThrows) {
  Process process([] {});
  process.start();
  EXPECT_THROW(process.start(), std::logic_error);
  process.join();
}

TEST(ProcessTest, JoinBeforeStartThrows) {
  Process process([] {});
  EXPECT_THROW(process.join(), std::logic_error);
}

TEST(ProcessTest, DestructorKillsAndReapsRunningChild) {
  pid_t pid = 0;
  {
    Process process(SleepLong);
    process.start();
    pid = process.pid();
  }
  // Reaped: no longer our child, and no process (not even a zombie) left.
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_EQ(kill(pid, 0), -1);
}

TEST(ProcessTest, MovedProcessStillOwnsChild) {
  Process first([] { _exit(5); });
  first.start();
  Process second(std::move(first));
  second.join();
  EXPECT_EQ(second.exitcode(), 5);
}

}  // namespace
}  // namespace concbench
