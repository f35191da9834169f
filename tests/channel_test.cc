#include "concbench/channel.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "concbench/message.h"
#include "concbench/process.h"

namespace concbench {
namespace {

using Clock = std::chrono::steady_clock;

class ChannelTest : public testing::TestWithParam<std::string> {};

// Echoes `count` messages of `size` bytes back, checking each.
void Echo(ChannelEnd& end, std::size_t size, int count) {
  Message message(size);
  for (int i = 0; i < count; ++i) {
    message.Receive(end, static_cast<std::uint64_t>(i));
    message.Send(end);
  }
}

void RoundTrips(ChannelEnd& end, std::size_t size, int count) {
  Message message(size);
  for (int i = 0; i < count; ++i) {
    message.Fill(static_cast<std::uint64_t>(i));
    message.Send(end);
    ASSERT_EQ(message.Receive(end, static_cast<std::uint64_t>(i)),
              static_cast<std::uint64_t>(i));
  }
}

// Every size of the benchmark, 8 B to 1 MiB, both ways, between threads.
TEST_P(ChannelTest, ThreadsExchangeEverySizeIntact) {
  for (std::size_t size = 8; size <= (std::size_t{1} << 20); size *= 4) {
    auto channel = MakeChannel(GetParam());
    const int count = size >= (std::size_t{128} << 10) ? 3 : 20;
    std::thread peer([&] { Echo(channel->end(1), size, count); });
    RoundTrips(channel->end(0), size, count);
    peer.join();
  }
}

TEST_P(ChannelTest, ProcessesExchangeIntact) {
  if (!WorksAcrossProcesses(GetParam()))
    GTEST_SKIP() << "a thread-only channel";
  for (std::size_t size : {std::size_t{8}, std::size_t{1} << 20}) {
    auto channel = MakeChannel(GetParam());
    Process peer([&] {
      channel->KeepOnly(1);
      Echo(channel->end(1), size, 5);
    });
    peer.start();
    channel->KeepOnly(0);
    RoundTrips(channel->end(0), size, 5);
    ASSERT_TRUE(peer.join(std::chrono::seconds(10)));
    EXPECT_EQ(peer.exitcode(), 0);
  }
}

// A message whose bytes changed on the way fails its checksum.
TEST_P(ChannelTest, CorruptionIsDetected) {
  auto channel = MakeChannel(GetParam());
  Message message(64);
  message.Fill(0);
  std::vector<std::byte> bytes(message.bytes().begin(), message.bytes().end());
  bytes[40] ^= std::byte{1};
  channel->end(0).Write(bytes);
  Message received(64);
  EXPECT_THROW(received.Receive(channel->end(1), 0), ChannelError);
}

TEST_P(ChannelTest, OutOfOrderSequenceIsDetected) {
  auto channel = MakeChannel(GetParam());
  Message message(8);
  message.Fill(5);
  message.Send(channel->end(0));
  EXPECT_THROW(message.Receive(channel->end(1), 4), ChannelError);
}

// The peer sends half a large message and is killed: the reader reports an
// error within a bounded time instead of waiting forever.
TEST_P(ChannelTest, PeerKilledMidTransferEndsReadInBoundedTime) {
  if (!WorksAcrossProcesses(GetParam()))
    GTEST_SKIP() << "a thread-only channel";
  auto channel = MakeChannel(GetParam());
  Process peer([&] {
    channel->KeepOnly(1);
    std::vector<std::byte> half(std::size_t{64} << 10);
    channel->end(1).Write(half);
    pause();
  });
  peer.start();
  channel->KeepOnly(0);
  channel->end(0).SetPeerCheck([&] { return peer.is_alive(); });
  std::vector<std::byte> part(4096);
  channel->end(0).Read(part);  // the transfer has started
  peer.kill();
  Message message(std::size_t{1} << 20);
  const auto start = Clock::now();
  EXPECT_THROW(message.Receive(channel->end(0), 0), ChannelError);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

// A writer whose reader is gone stops with an error, never with SIGPIPE.
TEST_P(ChannelTest, PeerKilledEndsWriteInBoundedTime) {
  if (!WorksAcrossProcesses(GetParam()))
    GTEST_SKIP() << "a thread-only channel";
  auto channel = MakeChannel(GetParam());
  Process peer([&] {
    channel->KeepOnly(1);
    pause();
  });
  peer.start();
  channel->KeepOnly(0);
  channel->end(0).SetPeerCheck([&] { return peer.is_alive(); });
  peer.kill();
  std::vector<std::byte> big(std::size_t{4} << 20);
  const auto start = Clock::now();
  EXPECT_THROW(channel->end(0).Write(big), ChannelError);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_P(ChannelTest, StalledPeerHitsTheStallLimit) {
  auto channel = MakeChannel(GetParam());
  channel->end(0).SetStallLimit(std::chrono::milliseconds(50));
  std::vector<std::byte> bytes(8);
  EXPECT_THROW(channel->end(0).Read(bytes), ChannelError);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ChannelTest,
                         testing::ValuesIn(ChannelKinds()),
                         [](const auto& info) { return info.param; });

TEST(ChannelKindsTest, UnknownKindIsRejected) {
  EXPECT_THROW(MakeChannel("carrier_pigeon"), std::invalid_argument);
}

// A named channel's objects in /dev/shm are gone once the channel is.
TEST_P(ChannelTest, NamedObjectsAreRemovedWithTheChannel) {
  const std::string mine = "-" + std::to_string(getpid()) + "-";
  auto count = [&] {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
      const std::string name = entry.path().filename().string();
      n += name.rfind("concbench-", 0) == 0 &&
           name.find(mine) != std::string::npos;
    }
    return n;
  };
  const int before = count();
  {
    auto channel = MakeChannel(GetParam());
    EXPECT_GE(count(), before);
  }
  EXPECT_EQ(count(), before);
}

}  // namespace
}  // namespace concbench
