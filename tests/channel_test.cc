#include "concbench/channel.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
  if (!FindChannel(GetParam()).across_processes)
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

// The byte offset in Message::bytes() of sampled word `i` (0: the first,
// kSampledWords + 1: the last) of a payload of `size` bytes.
std::size_t SampledByte(std::size_t size, std::size_t i) {
  constexpr std::size_t kHeader = 16;
  return kHeader + SampledOffset(size, i);
}

// Sends `message`'s bytes with one byte flipped at `offset`.
void SendCorrupted(const Message& message, std::size_t offset,
                   ChannelEnd& end) {
  std::vector<std::byte> bytes(message.bytes().begin(), message.bytes().end());
  bytes.at(offset) ^= std::byte{1};
  end.Write(bytes);
}

// A message that is not due for a full check still fails when a sampled
// word changed on the way: the first, one between, the last.
TEST_P(ChannelTest, CorruptionOfASampledWordIsDetected) {
  constexpr std::size_t kSize = 4096;
  static_assert(!FullCheckDue(1));
  for (std::size_t i : {std::size_t{0}, std::size_t{3}, kSampledWords + 1}) {
    auto channel = MakeChannel(GetParam());
    Message message(kSize);
    message.Fill(1);
    SendCorrupted(message, SampledByte(kSize, i) + 5, channel->end(0));
    Message received(kSize);
    EXPECT_THROW(received.Receive(channel->end(1), 1), ChannelError) << i;
  }
}

// A message due for a full check fails when any byte changed, sampled or
// not.
TEST_P(ChannelTest, CorruptionAnywhereInAFullyCheckedMessageIsDetected) {
  constexpr std::size_t kSize = 4096;
  constexpr std::size_t kUnsampled = 16 + 100;  // between samples 0 and 1
  static_assert(FullCheckDue(kFullCheckEvery));
  auto channel = MakeChannel(GetParam());
  Message message(kSize);
  message.Fill(kFullCheckEvery);
  SendCorrupted(message, kUnsampled, channel->end(0));
  Message received(kSize);
  EXPECT_THROW(received.Receive(channel->end(1), kFullCheckEvery),
               ChannelError);
}

// Two messages that arrive swapped, or one that is lost, fail on the
// sequence.
TEST_P(ChannelTest, ReorderedOrLostMessagesAreDetected) {
  auto channel = MakeChannel(GetParam());
  Message message(64);
  for (std::uint64_t sequence : {2, 1}) {
    message.Fill(sequence);
    message.Send(channel->end(0));
  }
  Message received(64);
  EXPECT_THROW(received.Receive(channel->end(1), 1), ChannelError);
  EXPECT_THROW(received.Receive(channel->end(1), 2), ChannelError);
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
  if (!FindChannel(GetParam()).across_processes)
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
  if (!FindChannel(GetParam()).across_processes)
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
  if (FindChannel(GetParam()).blocking_waits)
    GTEST_SKIP() << "waits block until the peer answers, closes or dies";
  auto channel = MakeChannel(GetParam());
  channel->end(0).SetStallLimit(std::chrono::milliseconds(50));
  std::vector<std::byte> bytes(8);
  EXPECT_THROW(channel->end(0).Read(bytes), ChannelError);
}

// A blocking wait ends when the peer thread closes its side, which is how a
// peer thread that ends or fails releases the main thread (Peer does it).
TEST_P(ChannelTest, ClosingTheOtherSideEndsABlockingWait) {
  if (!FindChannel(GetParam()).blocking_waits)
    GTEST_SKIP() << "waits check the peer instead";
  for (bool reading : {true, false}) {
    auto channel = MakeChannel(GetParam());
    std::thread peer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      channel->Close(1);
    });
    std::vector<std::byte> bytes(std::size_t{4} << 20);
    const auto start = Clock::now();
    if (reading) {
      EXPECT_THROW(channel->end(0).Read(bytes), ChannelError);
    } else {
      EXPECT_THROW(channel->end(0).Write(bytes), ChannelError);
    }
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
    peer.join();
  }
}

std::vector<std::string> ChannelNames() {
  std::vector<std::string> names;
  for (const ChannelInfo& info : Channels()) names.emplace_back(info.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ChannelTest,
                         testing::ValuesIn(ChannelNames()),
                         [](const auto& info) { return info.param; });

// Every entry can be made, and names are unique.
TEST(ChannelTableTest, EveryEntryMakesAChannel) {
  std::set<std::string_view> seen;
  for (const ChannelInfo& info : Channels()) {
    EXPECT_TRUE(seen.insert(info.name).second) << info.name;
    EXPECT_NE(info.make.value(), nullptr) << info.name;
    EXPECT_EQ(&FindChannel(info.name), &info);
  }
}

TEST(ChannelTableTest, UnknownKindIsRejected) {
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

// The checks on a message as it lies in memory, without a channel.
TEST(MessageTest, IntactMessagesPassBothChecks) {
  for (std::size_t size : {1, 8, 12, 16, 20, 4096, 1 << 20}) {
    Message message(size);
    for (std::uint64_t sequence :
         {std::uint64_t{0}, std::uint64_t{7}, kStopSequence}) {
      message.Fill(sequence);
      EXPECT_EQ(message.sequence(), sequence);
      EXPECT_NO_THROW(message.CheckSampled()) << size;
      EXPECT_NO_THROW(message.CheckFull()) << size;
    }
  }
}

// A byte between the samples escapes the constant-cost check, which is why
// messages are also checked in full on a schedule; the full check finds it.
TEST(MessageTest, FullCheckFindsWhatTheSampledCheckCannotSee) {
  Message message(4096);
  message.Fill(3);
  message.payload()[100] ^= std::byte{0x80};
  EXPECT_NO_THROW(message.CheckSampled());
  EXPECT_THROW(message.CheckFull(), ChannelError);
}

// The header of one message on the payload of another fails: the marks in
// the first and last words are sampled and belong to the sequence.
TEST(MessageTest, HeaderOnAnotherMessagesPayloadIsDetected) {
  for (std::size_t size : {8, 4096}) {
    Message first(size);
    first.Fill(1);
    Message second(size);
    second.Fill(2);
    std::memcpy(second.payload().data(), first.payload().data(), size);
    EXPECT_THROW(second.CheckSampled(), ChannelError) << size;
  }
}

// A transport that delivers the header and the first and last payload
// words of `from` but never the bytes between them.
class HoleyEnd : public ChannelEnd {
 public:
  explicit HoleyEnd(const Message& from) : from_(from.bytes()) {}
  void Write(std::span<const std::byte>) override {}
  void Read(std::span<std::byte> bytes) override {
    constexpr std::size_t kKept = 16 + 8;  // header and first payload word
    ASSERT_EQ(bytes.size(), from_.size());
    std::ranges::copy(from_.first(kKept), bytes.begin());
    std::ranges::copy(from_.last(8), bytes.end() - 8);
  }

 private:
  std::span<const std::byte> from_;
};

// Bytes that never arrive fail a message due for the full check, although
// the receiving buffer held the right layout before the read.
TEST(MessageTest, BytesThatNeverArriveFailTheFullCheck) {
  constexpr std::size_t kSize = 4096;
  Message sent(kSize);
  sent.Fill(kFullCheckEvery);
  HoleyEnd holey(sent);
  Message received(kSize);
  received.Fill(kFullCheckEvery);  // the exact layout, before the read
  EXPECT_THROW(received.Receive(holey, kFullCheckEvery), ChannelError);
}

// Full checks fall on the first message, every kFullCheckEvery-th and the
// stop message: bounded cost per message, and none of them escapes
// forever.
TEST(MessageTest, FullCheckSchedule) {
  EXPECT_TRUE(FullCheckDue(0));
  EXPECT_FALSE(FullCheckDue(1));
  EXPECT_FALSE(FullCheckDue(kFullCheckEvery - 1));
  EXPECT_TRUE(FullCheckDue(kFullCheckEvery));
  EXPECT_TRUE(FullCheckDue(kStopSequence));
}

}  // namespace
}  // namespace concbench
