#include "concbench/peer.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/message.h"

namespace concbench {
namespace {

using Clock = std::chrono::steady_clock;

cpu_set_t CurrentMask() {
  cpu_set_t mask;
  pthread_getaffinity_np(pthread_self(), sizeof(mask), &mask);
  return mask;
}

TEST(PeerTest, Names) {
  EXPECT_STREQ(PeerName(PeerKind::kProcess), "process");
  EXPECT_STREQ(PeerName(PeerKind::kThread), "thread");
  EXPECT_STREQ(PinName(Pin::kSame), "same");
  EXPECT_STREQ(PinName(Pin::kSplit), "split");
  EXPECT_STREQ(PinName(Pin::kNone), "none");
}

TEST(PeerTest, PlacementsNeedTwoCpusToSplit) {
  const std::vector<Pin> split = {Pin::kSame, Pin::kSplit, Pin::kNone};
  const std::vector<Pin> one_cpu = {Pin::kSame, Pin::kNone};
  EXPECT_EQ(Placements(), AllowedCpus().size() >= 2 ? split : one_cpu);
}

TEST(MainPlacementTest, PinsForItsLifetimeThenRestoresTheMask) {
  const cpu_set_t before = CurrentMask();
  const std::vector<int> cpus = AllowedCpus();
  {
    MainPlacement placement(Pin::kSame);
    EXPECT_EQ(placement.peer_cpu(), cpus.front());
    const cpu_set_t pinned = CurrentMask();
    EXPECT_EQ(CPU_COUNT(&pinned), 1);
    EXPECT_TRUE(CPU_ISSET(cpus.front(), &pinned));
  }
  cpu_set_t after = CurrentMask();
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
  if (cpus.size() >= 2) {
    MainPlacement placement(Pin::kSplit);
    EXPECT_EQ(placement.peer_cpu(), cpus.at(1));
  }
  {
    MainPlacement placement(Pin::kNone);
    EXPECT_EQ(placement.peer_cpu(), -1);
    after = CurrentMask();
    EXPECT_TRUE(CPU_EQUAL(&before, &after));
  }
}

TEST(MainPlacementTest, SplitOnOneCpuIsAnErrorWithItsReason) {
  if (AllowedCpus().size() >= 2) {
    EXPECT_NO_THROW(MainPlacement{Pin::kSplit});
    return;
  }
  EXPECT_THROW(MainPlacement{Pin::kSplit}, std::runtime_error);
}

struct Case {
  std::string channel;
  PeerKind kind;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (const ChannelInfo& info : Channels()) {
    if (info.across_processes)
      cases.push_back({std::string(info.name), PeerKind::kProcess});
    cases.push_back({std::string(info.name), PeerKind::kThread});
  }
  return cases;
}

class PeerTest : public testing::TestWithParam<Case> {};

// The peer echoes three messages, then stops cleanly.
TEST_P(PeerTest, RunsTheBodyOnEndOne) {
  auto channel = MakeChannel(GetParam().channel);
  MainPlacement placement(Pin::kSame);
  Peer peer(GetParam().kind, placement, *channel, [](ChannelEnd& end) {
    Message message(64);
    for (std::uint64_t i = 0; i < 3; ++i) {
      message.Receive(end, i);
      message.Send(end);
    }
  });
  Message message(64);
  for (std::uint64_t i = 0; i < 3; ++i) {
    message.Fill(i);
    message.Send(channel->end(0));
    EXPECT_EQ(message.Receive(channel->end(0), i), i);
  }
  EXPECT_EQ(peer.Finish(), "");
}

// A peer that fails or dies ends the caller's wait with ChannelError in a
// bounded time, and Finish says what happened to it.
TEST_P(PeerTest, APeerThatFailsEndsTheCallersWait) {
  auto channel = MakeChannel(GetParam().channel);
  MainPlacement placement(Pin::kNone);
  const bool process = GetParam().kind == PeerKind::kProcess;
  Peer peer(GetParam().kind, placement, *channel, [process](ChannelEnd&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (process) kill(getpid(), SIGKILL);
    throw std::runtime_error("the peer gave up");
  });
  std::vector<std::byte> bytes(64);
  const auto start = Clock::now();
  EXPECT_THROW(channel->end(0).Read(bytes), ChannelError);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  const std::string error = peer.Finish();
  EXPECT_NE(error.find(process ? "signal 9" : "the peer gave up"),
            std::string::npos)
      << error;
}

// Abandoning a peer that waits for a message ends it at once.
TEST_P(PeerTest, AbandonEndsAWaitingPeer) {
  auto channel = MakeChannel(GetParam().channel);
  MainPlacement placement(Pin::kNone);
  Peer peer(GetParam().kind, placement, *channel, [](ChannelEnd& end) {
    std::vector<std::byte> bytes(64);
    end.Read(bytes);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto start = Clock::now();
  peer.Finish(/*abandon=*/true);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

INSTANTIATE_TEST_SUITE_P(EveryChannel, PeerTest, testing::ValuesIn(Cases()),
                         [](const auto& info) {
                           return info.param.channel + "_" +
                                  PeerName(info.param.kind);
                         });

}  // namespace
}  // namespace concbench
