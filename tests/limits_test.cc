// The limits workload: every floor that floors.h names is registered with
// its primary metric, every floor another benchmark names exists, the fork
// helper forks and is reaped (no zombie, no child left), and the ping-pong
// peers answer, are checked and end.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "child_pids.h"
#include "concbench/channel.h"
#include "concbench/clock.h"
#include "concbench/floors.h"
#include "concbench/fork_helper.h"
#include "concbench/placement.h"
#include "concbench/suite.h"
#include "limits/workload.h"

namespace concbench {
namespace {

std::map<std::string, BenchmarkSpec> SuiteByName(
    std::map<std::string, std::string> settings = {}) {
  SuiteConfig config;
  config.mode = SuiteMode::kSmoke;
  config.cores = 2;
  config.settings = std::move(settings);
  std::map<std::string, BenchmarkSpec> specs;
  for (BenchmarkSpec& spec : BuildSuite(config))
    specs.emplace(spec.name.str(), std::move(spec));
  return specs;
}

std::vector<std::string> EveryFloor() {
  std::vector<std::string> names = {floors::ForkExitWait().str(),
                                    floors::PosixSpawnWait().str(),
                                    floors::ThreadCreateJoin().str()};
  for (auto pin : floors::FutexPins())
    names.push_back(floors::FutexPingPong(pin).str());
  for (auto pin : floors::SpinPins())
    names.push_back(floors::SpinPingPong(pin).str());
  for (auto pin : floors::PipePins())
    names.push_back(floors::PipePingPong(pin).str());
  for (auto size : floors::MemcpySizes())
    names.push_back(floors::Memcpy(size).str());
  for (auto sleep_us : floors::SleepsUs())
    names.push_back(floors::Sleep(sleep_us).str());
  return names;
}

TEST(LimitsTest, EveryFloorIsRegisteredWithItsMetric) {
  const auto specs = SuiteByName();
  for (const std::string& name : EveryFloor()) {
    const auto found = specs.find(name);
    ASSERT_NE(found, specs.end()) << name;
    const Metric& metric = found->second.metric;
    EXPECT_EQ(found->second.name.workload(), "limits");
    if (name.starts_with("limits/memcpy/")) {
      EXPECT_EQ(metric.name, "bytes_per_second") << name;
      EXPECT_EQ(metric.better, Better::kHigher) << name;
    } else if (name.starts_with("limits/sleep/")) {
      EXPECT_EQ(metric.kind, MetricKind::kSleep) << name;
      EXPECT_EQ(metric.better, Better::kLower) << name;
    } else {
      EXPECT_EQ(metric.kind, MetricKind::kLatency) << name;
      EXPECT_EQ(metric.better, Better::kLower) << name;
    }
  }
  EXPECT_TRUE(specs.at(floors::ForkExitWait().str()).manual_time);
}

TEST(LimitsTest, EveryNamedFloorExistsAndJudgesTheSameWay) {
  const auto specs = SuiteByName();
  int named = 0;
  for (const auto& [name, spec] : specs) {
    if (spec.floor.empty()) continue;
    ++named;
    const auto floor = specs.find(spec.floor);
    ASSERT_NE(floor, specs.end()) << name << " names " << spec.floor;
    EXPECT_EQ(floor->second.name.workload(), "limits") << name;
    EXPECT_EQ(floor->second.metric.better, spec.metric.better) << name;
  }
  EXPECT_GT(named, 0);
  EXPECT_EQ(specs.at("spawn/process_start_join").floor,
            floors::ForkExitWait().str());
  EXPECT_EQ(specs.at("spawn/thread_start_join").floor,
            floors::ThreadCreateJoin().str());
  EXPECT_EQ(specs.at("ipc/pipe/pingpong/peer:thread/size:8/pin:same").floor,
            floors::PipePingPong(Pin::kSame).str());
  EXPECT_EQ(
      specs.at("ipc/shm_ring/pingpong/peer:thread/size:8/pin:split").floor,
      floors::SpinPingPong(Pin::kSplit).str());
  EXPECT_EQ(floors::ChannelPingPong(FindChannel("shm_ring"), Pin::kSame), "");
}

// Every throughput row names its memcpy floor, and it is registered, at
// every ipc size: the default ones and --set ipc.all_sizes=1's.
TEST(LimitsTest, EveryThroughputRowHasItsMemcpyFloor) {
  for (const char* all_sizes : {"0", "1"}) {
    const auto specs = SuiteByName({{"ipc.all_sizes", all_sizes}});
    int rows = 0;
    for (const auto& [name, spec] : specs) {
      if (spec.name.workload() != "ipc" || spec.metric.unit != "B/s") continue;
      ++rows;
      EXPECT_TRUE(spec.floor.starts_with("limits/memcpy/")) << name;
      EXPECT_TRUE(specs.contains(spec.floor))
          << name << " names " << spec.floor;
    }
    EXPECT_GT(rows, 0) << all_sizes;
  }
}

// sleep_io's map variants at the limits sleep's length name it as their
// floor (their tasks sleep the same way); the event loop's timers do not.
TEST(LimitsTest, SleepIoMapRowsAtOneMillisecondNameTheSleepFloor) {
  const auto specs = SuiteByName({{"sleep_io.sleep_ms", "1"}});
  int named = 0;
  for (const auto& [name, spec] : specs) {
    if (spec.name.workload() != "sleep_io") continue;
    const auto& params = spec.name.params();
    const bool one_ms = std::find(params.begin(), params.end(),
                                  std::pair<std::string, std::string>(
                                      "sleep_ms", "1")) != params.end();
    if (spec.name.variant() == "asio_async" || !one_ms) {
      EXPECT_EQ(spec.floor, "") << name;
      continue;
    }
    EXPECT_EQ(spec.floor, floors::Sleep(1000).str()) << name;
    named += spec.floor.empty() ? 0 : 1;
  }
  EXPECT_GT(named, 0);
  EXPECT_EQ(floors::TaskSleep(10'000), "");
  EXPECT_EQ(specs.at(floors::Sleep(1000).str()).metric.better, Better::kLower);
}

TEST(LimitsTest, TheSleepLastsAtLeastItsLength) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_GE(limits::FutexSleep(std::chrono::microseconds(200)),
              std::chrono::microseconds(200));
  }
}

// A channel's round-trip floor follows its pingpong_floor trait alone: a
// channel with a floor has one at some placement, one without has none.
TEST(LimitsTest, ChannelFloorsFollowTheTraitsTable) {
  for (const ChannelInfo& info : Channels()) {
    bool named = false;
    for (Pin pin : {Pin::kSame, Pin::kSplit, Pin::kNone})
      named = named || !floors::ChannelPingPong(info, pin).empty();
    EXPECT_EQ(named, info.pingpong_floor != floors::RoundTrip::kNone)
        << info.name;
  }
}

TEST(ForkHelperTest, ForksAndIsReapedLeavingNoChild) {
  pid_t pid = -1;
  {
    ForkHelper helper(CONCBENCH_BINARY);
    pid = helper.pid();
    EXPECT_GT(helper.ForkExitWait(3), 0);
    EXPECT_GT(helper.ForkExitWait(1), 0);
    EXPECT_EQ(ChildPids(), std::vector<pid_t>{pid});
  }
  EXPECT_TRUE(ChildPids().empty());
  // Reaped, not a zombie: a zombie still takes signals' existence checks.
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ForkHelperTest, AHelperThatDiedFailsLoudlyAndIsReaped) {
  ForkHelper helper(CONCBENCH_BINARY);
  ASSERT_EQ(kill(helper.pid(), SIGKILL), 0);
  try {
    helper.ForkExitWait(1);
    FAIL() << "a dead helper answered";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("killed by signal 9"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(ChildPids().empty());
}

TEST(ForkHelperTest, AProgramThatCannotStartThrows) {
  EXPECT_THROW(ForkHelper("/nonexistent/concbench"), std::system_error);
  EXPECT_TRUE(ChildPids().empty());
}

template <class PingPong>
void ExpectRounds(Pin pin) {
  {
    const MainPlacement placement(pin);
    PingPong pingpong(placement.peer_cpu());
    for (int i = 0; i < 100; ++i) pingpong.Round();
    EXPECT_EQ(pingpong.rounds(), 100u);
  }  // the destructor ends and joins the peer
}

TEST(LimitsTest, PingPongsAnswerEveryRound) {
  ExpectRounds<limits::WordPingPong<limits::FutexWaiting>>(Pin::kSame);
  ExpectRounds<limits::PipePingPong>(Pin::kNone);
  ExpectRounds<limits::PipePingPong>(Pin::kSame);
  if (AllowedCpus().size() >= 2) {
    ExpectRounds<limits::WordPingPong<limits::SpinWaiting>>(Pin::kSplit);
    ExpectRounds<limits::WordPingPong<limits::FutexWaiting>>(Pin::kSplit);
  }
}

// A peer that cannot be placed (no CPU 1000) fails the first round at once,
// naming its reason, instead of leaving main to wait out the stall limit.
template <class PingPong>
void ExpectPeerFailureNamed() {
  PingPong pingpong(1000);
  const std::int64_t start = NowNs();
  try {
    for (int i = 0; i < 3; ++i) pingpong.Round();
    FAIL() << "a peer that could not be pinned answered";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("pin to CPU 1000"), std::string::npos)
        << e.what();
  }
  EXPECT_LT(NowNs() - start, limits::kStallNs / 2);
}

TEST(LimitsTest, APeerThatFailsEndsTheRoundWithItsReason) {
  ExpectPeerFailureNamed<limits::WordPingPong<limits::FutexWaiting>>();
  ExpectPeerFailureNamed<limits::PipePingPong>();
}

}  // namespace
}  // namespace concbench
