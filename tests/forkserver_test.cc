// The forkserver start method: children run in forks of the server, their
// exit statuses come back, a dead server is a prompt error, and a dead
// parent leaves no child behind.
#include "concbench/forkserver.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child_pids.h"
#include "concbench/executor.h"
#include "concbench/process.h"
#include "concbench/process_pool.h"

namespace concbench {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How long a dead server or parent may take to be noticed.
constexpr auto kDeadline = std::chrono::seconds(5);

template <class T>
std::vector<std::byte> Bytes(const T& value) {
  std::vector<std::byte> bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

template <class T>
T From(std::span<const std::byte> args) {
  T value{};
  if (args.size() != sizeof(T)) _exit(99);
  std::memcpy(&value, args.data(), sizeof(T));
  return value;
}

void ReturnAtOnce(std::span<const std::byte>) {}
void ExitWith(std::span<const std::byte> args) { _exit(From<int>(args)); }
void Throw(std::span<const std::byte>) { throw std::runtime_error("boom"); }
void KillSelf(std::span<const std::byte>) { raise(SIGKILL); }
void SleepLong(std::span<const std::byte>) {
  std::this_thread::sleep_for(std::chrono::seconds(60));
}
// Exits 0 when its parent is the pid in args (the server), 3 otherwise.
void CheckParent(std::span<const std::byte> args) {
  if (getppid() != From<pid_t>(args)) _exit(3);
}

Process Forkserved(void (*entry)(std::span<const std::byte>),
                   std::vector<std::byte> args = {}) {
  return Process(PortableTarget{entry, std::move(args)},
                 StartMethod::kForkserver);
}

// True when `pid` is no running process: gone, or a zombie left to init.
bool Dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() &&
         line[paren + 2] == 'Z';
}

bool AllDeadWithin(const std::vector<pid_t>& pids, Clock::duration limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    bool all = true;
    for (pid_t pid : pids) all = all && Dead(pid);
    if (all) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

int OpenDescriptors() {
  int count = 0;
  for ([[maybe_unused]] const auto& fd :
       std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

class ForkserverTest : public ::testing::Test {
 protected:
  // Every test leaves no child: the server is stopped and reaped.
  void TearDown() override {
    internal::StopForkserver();
    EXPECT_TRUE(ChildPids().empty());
  }
};

TEST_F(ForkserverTest, ExitStatusesAreReported) {
  Process ok = Forkserved(&ReturnAtOnce);
  Process seven = Forkserved(&ExitWith, Bytes(7));
  Process thrown = Forkserved(&Throw);
  Process killed = Forkserved(&KillSelf);
  for (Process* p : {&ok, &seven, &thrown, &killed}) p->start();
  for (Process* p : {&ok, &seven, &thrown, &killed}) EXPECT_TRUE(p->join());
  EXPECT_EQ(ok.exitcode(), 0);
  EXPECT_EQ(seven.exitcode(), 7);
  EXPECT_EQ(thrown.exitcode(), 1);
  EXPECT_EQ(killed.exitcode(), -SIGKILL);
}

TEST_F(ForkserverTest, ChildrenAreTheServersNotOurs) {
  StartForkserver();
  const pid_t server = internal::ForkserverPid();
  ASSERT_GT(server, 0);
  Process child = Forkserved(&CheckParent, Bytes(server));
  child.start();
  EXPECT_NE(child.pid(), server);
  const std::vector<pid_t> ours = ChildPids();
  EXPECT_EQ(std::count(ours.begin(), ours.end(), child.pid()), 0);
  child.join();
  EXPECT_EQ(child.exitcode(), 0);
}

TEST_F(ForkserverTest, ManyChildrenJoinedInAnyOrder) {
  std::vector<Process> children;
  for (int code = 0; code < 16; ++code)
    children.push_back(Forkserved(&ExitWith, Bytes(code)));
  for (Process& child : children) child.start();
  for (int code = 15; code >= 0; --code) {
    children[code].join();
    EXPECT_EQ(children[code].exitcode(), code);
  }
}

TEST_F(ForkserverTest, TimedJoinKillAndDestructorLeaveNothing) {
  StartForkserver();
  const int descriptors = OpenDescriptors();
  pid_t destroyed = 0;
  {
    Process sleeper = Forkserved(&SleepLong);
    sleeper.start();
    EXPECT_FALSE(sleeper.join(milliseconds(20)));
    EXPECT_TRUE(sleeper.is_alive());
    sleeper.kill();
    EXPECT_TRUE(sleeper.join(milliseconds(5000)));
    EXPECT_EQ(sleeper.exitcode(), -SIGKILL);
    Process abandoned = Forkserved(&SleepLong);
    abandoned.start();
    destroyed = abandoned.pid();
  }
  // The destructor killed it and the server reaped it before reporting.
  EXPECT_TRUE(Dead(destroyed));
  EXPECT_EQ(OpenDescriptors(), descriptors);
}

TEST_F(ForkserverTest, ForkStartRunsThePortableTargetToo) {
  Process child(PortableTarget{&ExitWith, Bytes(42)}, StartMethod::kFork);
  child.start();
  child.join();
  EXPECT_EQ(child.exitcode(), 42);
}

TEST_F(ForkserverTest, OtherStartMethodsAndOversizeArgsAreRejected) {
  EXPECT_THROW(Process(PortableTarget{&ReturnAtOnce}, StartMethod::kSpawn),
               std::invalid_argument);
  Process big(PortableTarget{&ReturnAtOnce, std::vector<std::byte>(1 << 20)},
              StartMethod::kForkserver);
  EXPECT_THROW(big.start(), std::invalid_argument);
}

std::uint64_t SumSquaresBelow(std::uint64_t bound) {
  std::uint64_t sum = 0;
  for (std::uint64_t x = 0; x < bound; ++x) sum += x * x;
  return sum;
}

std::uint64_t Hang(std::uint64_t) {
  for (;;) pause();
}

// The forkserver's children get their inputs copied, not inherited.
TEST_F(ForkserverTest, ProcessPerTaskAgreesWithTheLoop) {
  const VariantInfo& variant = FindVariant("process_per_task");
  for (std::uint64_t tasks : {0u, 1u, 7u, 100u}) {
    std::vector<std::uint64_t> bounds(tasks);
    std::vector<std::uint64_t> expected(tasks);
    for (std::uint64_t i = 0; i < tasks; ++i) {
      bounds[i] = i * 13;
      expected[i] = SumSquaresBelow(bounds[i]);
    }
    for (int workers : {1, 2, 3, 8}) {
      SCOPED_TRACE(testing::Message() << tasks << " tasks, " << workers);
      auto executor =
          MakeExecutor(variant, {workers, 0, StartMethod::kForkserver});
      for (int run = 0; run < 2; ++run) {
        std::vector<std::uint64_t> results(tasks, 0xdeadbeef);
        Map(*executor, &SumSquaresBelow, std::span<const std::uint64_t>(bounds),
            std::span<std::uint64_t>(results));
        EXPECT_EQ(results, expected);
      }
    }
  }
}

TEST_F(ForkserverTest, ProcessPerTaskKillsItsChildrenPastTheTimeout) {
  auto executor = MakeExecutor(FindVariant("process_per_task"),
                               {2, 0, StartMethod::kForkserver});
  executor->set_timeout(milliseconds(200));
  const std::vector<std::uint64_t> inputs(4, 0);
  std::vector<std::uint64_t> results(inputs.size());
  const auto start = Clock::now();
  EXPECT_THROW(Map(*executor, &Hang, std::span<const std::uint64_t>(inputs),
                   std::span<std::uint64_t>(results)),
               PoolTimeout);
  executor.reset();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

ProcessPool::Options ForkserverPool() {
  ProcessPool::Options options;
  options.start = StartMethod::kForkserver;
  return options;
}

TEST_F(ForkserverTest, PoolOfServedWorkersMapsAndJoins) {
  ProcessPool pool(3, ForkserverPool());
  const std::vector<pid_t> ours = ChildPids();
  for (pid_t pid : pool.pids())
    EXPECT_EQ(std::count(ours.begin(), ours.end(), pid), 0);
  std::vector<std::uint64_t> bounds(50);
  for (std::uint64_t i = 0; i < bounds.size(); ++i) bounds[i] = i * 7;
  for (std::size_t chunk : {0u, 1u}) {
    const auto results = pool.map(
        &SumSquaresBelow, std::span<const std::uint64_t>(bounds), chunk);
    for (std::uint64_t i = 0; i < bounds.size(); ++i)
      EXPECT_EQ(results[i], SumSquaresBelow(bounds[i]));
  }
  EXPECT_EQ(pool.apply(&SumSquaresBelow, std::uint64_t{10}), 285u);
  const std::vector<pid_t> pids = pool.pids();
  pool.close();
  pool.join();
  EXPECT_TRUE(AllDeadWithin(pids, kDeadline));
}

// The server killed under a running pool: the pool breaks, naming it.
TEST_F(ForkserverTest, PoolBreaksWhenTheServerDies) {
  ProcessPool pool(2, ForkserverPool());
  EXPECT_EQ(pool.apply(&SumSquaresBelow, std::uint64_t{3}), 5u);
  auto pending = pool.apply_async(&Hang, std::uint64_t{0});
  ASSERT_EQ(kill(internal::ForkserverPid(), SIGKILL), 0);
  const auto start = Clock::now();
  try {
    pending.get(milliseconds(5000));
    ADD_FAILURE() << "a result arrived after the forkserver died";
  } catch (const PoolError& e) {
    EXPECT_LT(Clock::now() - start, kDeadline);
    EXPECT_NE(std::string(e.what()).find("the forkserver (pid"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(AllDeadWithin(pool.pids(), kDeadline));
}

// The traits table says which variants take the forkserver; none takes spawn.
TEST_F(ForkserverTest, OnlyVariantsWithTheFormTakeIt) {
  for (const VariantInfo& variant : MapVariants()) {
    SCOPED_TRACE(variant.name);
    if (variant.forkserver_form) {
      EXPECT_NO_THROW(MakeExecutor(variant, {2, 0, StartMethod::kForkserver}));
      EXPECT_EQ(MapTraits(variant, {2, 0, StartMethod::kForkserver})
                    .at("start_method"),
                "forkserver");
    } else {
      EXPECT_THROW(MakeExecutor(variant, {2, 0, StartMethod::kForkserver}),
                   std::invalid_argument);
    }
    EXPECT_THROW(MakeExecutor(variant, {2, 0, StartMethod::kSpawn}),
                 std::invalid_argument);
  }
}

// The server killed while a child runs: join fails at once with the server's
// fate, the child died with it, and later starts fail the same way.
TEST_F(ForkserverTest, KilledServerIsAPromptClearError) {
  Process child = Forkserved(&SleepLong);
  child.start();
  const pid_t server = internal::ForkserverPid();
  ASSERT_EQ(kill(server, SIGKILL), 0);
  const auto start = Clock::now();
  try {
    child.join();
    ADD_FAILURE() << "join returned after the forkserver died";
  } catch (const std::runtime_error& e) {
    EXPECT_LT(Clock::now() - start, kDeadline);
    const std::string message = e.what();
    EXPECT_NE(message.find("the forkserver (pid " + std::to_string(server) +
                           ") was killed by signal 9"),
              std::string::npos)
        << message;
  }
  EXPECT_TRUE(AllDeadWithin({server, child.pid()}, kDeadline));
  Process later = Forkserved(&ReturnAtOnce);
  try {
    later.start();
    ADD_FAILURE() << "start succeeded without a forkserver";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start"), std::string::npos)
        << e.what();
  }
}

// A benchmark parent killed with SIGKILL (no handler runs): its server and
// the server's children are gone from the process table within the deadline.
TEST_F(ForkserverTest, KilledParentLeavesNoChildren) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t parent = internal::ForkChild();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    close(pipe_fds[0]);
    StartForkserver();
    std::vector<pid_t> pids = {internal::ForkserverPid()};
    auto children = std::make_unique<std::vector<Process>>();
    for (int i = 0; i < 3; ++i) {
      children->push_back(Forkserved(&SleepLong));
      children->back().start();
      pids.push_back(children->back().pid());
    }
    const auto bytes = static_cast<ssize_t>(pids.size() * sizeof(pid_t));
    if (write(pipe_fds[1], pids.data(), pids.size() * sizeof(pid_t)) != bytes)
      _exit(1);
    for (;;) pause();
  }
  close(pipe_fds[1]);
  std::vector<pid_t> pids(4);
  const auto bytes = static_cast<ssize_t>(pids.size() * sizeof(pid_t));
  const ssize_t got = read(pipe_fds[0], pids.data(), bytes);
  close(pipe_fds[0]);
  kill(parent, SIGKILL);
  waitpid(parent, nullptr, 0);
  ASSERT_EQ(got, bytes);
  EXPECT_TRUE(AllDeadWithin(pids, kDeadline));
}

}  // namespace
}  // namespace concbench
