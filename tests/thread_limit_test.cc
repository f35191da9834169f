// Thread and process creation failing is an error, never a hang (issue 15,
// items 3 and 4): every map variant, built and run where the process limit
// (RLIMIT_NPROC) leaves room for two more threads, either fails with a
// reason or computes the right results, within a deadline, and leaves no
// thread or child behind. Asio's thread_pool used to hang here: a partly
// built pool joined threads that never stopped. A crew whose fork fails
// says which worker and why (item 8).
#include <gtest/gtest.h>
#include <oneapi/tbb/global_control.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "child_pids.h"
#include "concbench/crew.h"
#include "concbench/executor.h"
#include "concbench/process.h"
#include "concbench/shared_memory.h"

namespace concbench {
namespace {

using std::chrono::milliseconds;

constexpr int kWorkers = 4;
constexpr int kItems = 64;
// The child itself plus this many threads or processes.
constexpr rlim_t kRoomForTasks = 2;

int Twice(int x) { return 2 * x; }

// What the child reports through shared memory.
struct Report {
  int stage = 0;  // 1: limited, 2: failed with a reason, 3: right results
  int threads_left = 0;
  int children_left = 0;
  char message[512] = {};
};

// A uid that owns no task: RLIMIT_NPROC counts every task of the user.
uid_t UnusedUid() {
  std::set<uid_t> used;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream status(entry.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("Uid:", 0) == 0) used.insert(std::stoul(line.substr(4)));
    }
  }
  uid_t uid = 61000;
  while (used.count(uid) != 0) ++uid;
  return uid;
}

// Root ignores RLIMIT_NPROC, so the child becomes an unused uid under it.
bool LimitTasks(uid_t uid) {
  const rlimit limit{1 + kRoomForTasks, 1 + kRoomForTasks};
  if (setrlimit(RLIMIT_NPROC, &limit) != 0 || setgid(uid) != 0 ||
      setuid(uid) != 0)
    return false;
  // A change of credentials clears the parent-death signal: set it again.
  return prctl(PR_SET_PDEATHSIG, SIGKILL) == 0;
}

class ThreadLimitTest : public testing::TestWithParam<std::string_view> {};

TEST_P(ThreadLimitTest, FailsWithAReasonOrComputesNeverHangs) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to run the child as an unused uid under "
                    "RLIMIT_NPROC (a user's limit counts all its processes)";
  }
  const VariantInfo& variant = FindVariant(GetParam());
  SharedValue<Report> report(Report{}, Locking::kNoLock);
  const uid_t uid = UnusedUid();
  Process child(
      [&report, &variant, uid] {
        Report& out = report.value();
        if (!LimitTasks(uid)) return;
        out.stage = 1;
        std::vector<int> inputs(kItems);
        for (int i = 0; i < kItems; ++i) inputs[i] = i;
        std::vector<int> results(kItems, -1);
        // oneTBB keeps its threads for later arenas; finalizing through
        // this handle joins them, so that what is left is a leak.
        tbb::task_scheduler_handle tbb_threads(tbb::attach{});
        try {
          auto executor = MakeExecutor(variant, {kWorkers, 0});
          Map<int, int>(*executor, &Twice, inputs, results);
          bool right = true;
          for (int i = 0; i < kItems; ++i) right &= results[i] == 2 * i;
          if (right) out.stage = 3;
        } catch (const std::exception& error) {
          out.stage = 2;
          std::strncat(out.message, error.what(), sizeof(out.message) - 1);
        }
        tbb::finalize(tbb_threads, std::nothrow);
        out.threads_left = ThreadCount() - 1;
        out.children_left = static_cast<int>(ChildPids().size());
      },
      "limited");
  child.start();
  if (!child.join(milliseconds(20000))) {
    child.kill();
    child.join();
    FAIL() << GetParam() << " hung when threads could not be created";
  }
  const Report& out = report.value();
  ASSERT_NE(out.stage, 0) << "could not limit the child's tasks";
  EXPECT_EQ(child.exitcode(), 0);
  EXPECT_TRUE(out.stage == 2 || out.stage == 3)
      << GetParam() << " computed wrong results";
  if (out.stage == 2) {
    EXPECT_STRNE(out.message, "") << "no reason given";
  }
  EXPECT_EQ(out.threads_left, 0) << "threads left running";
  EXPECT_EQ(out.children_left, 0) << "children left running";
  std::printf("%s under RLIMIT_NPROC: %s\n", std::string(GetParam()).c_str(),
              out.stage == 3 ? "computed the right results" : out.message);
}

std::vector<std::string_view> MultiWorkerVariants() {
  std::vector<std::string_view> names;
  for (const VariantInfo& variant : MapVariants()) {
    if (variant.takes_workers) names.push_back(variant.name);
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, ThreadLimitTest,
                         testing::ValuesIn(MultiWorkerVariants()),
                         [](const auto& info) {
                           return std::string(info.param);
                         });

// What `make` throws in a child with room for kRoomForTasks more tasks
// ("" when it throws nothing); a failure when it hangs or leaves a child.
std::string MessageUnderLimit(const std::function<void()>& make) {
  SharedValue<Report> report(Report{}, Locking::kNoLock);
  const uid_t uid = UnusedUid();
  Process child(
      [&report, &make, uid] {
        if (!LimitTasks(uid)) return;
        try {
          make();
        } catch (const std::exception& error) {
          std::strncat(report.value().message, error.what(),
                       sizeof(report.value().message) - 1);
        }
        report.value().children_left = static_cast<int>(ChildPids().size());
      },
      "limited");
  child.start();
  if (!child.join(milliseconds(20000))) {
    child.kill();
    child.join();
    ADD_FAILURE() << "hung when tasks could not be created";
    return {};
  }
  EXPECT_EQ(report.value().children_left, 0) << "children left running";
  return report.value().message;
}

// thread_pool's reason names the pool and the thread it could not start.
TEST(ThreadLimitTest, ThreadPoolNamesWhatFailed) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (see above)";
  const std::string message = MessageUnderLimit([] {
    MakeExecutor(FindVariant("thread_pool"), {kWorkers, 0});
  });
  EXPECT_NE(message.find("thread_pool"), std::string::npos) << message;
}

// A crew (bank's processes) whose fork fails names the worker and carries
// fork's reason (it used to say only "bank-worker-2 was not started").
TEST(ThreadLimitTest, CrewNamesTheWorkerAndTheReason) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (see above)";
  const std::string message = MessageUnderLimit([] {
    Crew crew(CrewMode::kProcesses, kWorkers,
              [](Shift&) -> std::int64_t { return 0; });
  });
  EXPECT_NE(message.find("crew-worker-"), std::string::npos) << message;
  EXPECT_NE(message.find("was not started: fork: "), std::string::npos)
      << message;
  EXPECT_NE(message.find(std::strerror(EAGAIN)), std::string::npos) << message;
}

}  // namespace
}  // namespace concbench
