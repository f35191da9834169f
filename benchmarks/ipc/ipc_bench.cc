// ipc: how fast two processes (or two threads) talk through each channel, at
// each message size and placement: round-trip latency (pingpong) and one-way
// throughput. Every message is checked on arrival at a cost independent of
// its size (sequence and sampled words, message.h), and one in
// kFullCheckEvery in full; payloads are built before the timed loop, so a
// send writes only the header and two marks. Every row names its floor from
// the limits workload (floors.h): memcpy of the same size for throughput.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/channel.h"
#include "concbench/floors.h"
#include "concbench/message.h"
#include "concbench/peer.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "ipc/sizes.h"

namespace concbench::ipc {
namespace {

// The peer echoes every message back until it receives the stop message.
void EchoPeer(ChannelEnd& end, std::size_t size) {
  Message message(size);
  for (std::uint64_t expected = 0;; ++expected) {
    if (message.Receive(end, expected) == kStopSequence) return;
    message.Send(end);
  }
}

// The peer receives `batch` messages, then acknowledges them with one small
// message, until a batch starts with the stop message.
void SinkPeer(ChannelEnd& end, std::size_t size, std::int64_t batch) {
  Message message(size);
  Message ack(8);
  std::uint64_t expected = 0;
  for (std::uint64_t acks = 0;; ++acks) {
    for (std::int64_t i = 0; i < batch; ++i, ++expected) {
      if (message.Receive(end, expected) == kStopSequence) return;
    }
    ack.Fill(acks);
    ack.Send(end);
  }
}

// Sends the stop message (ignoring a peer that is already gone) and reports
// anything that went wrong in the peer as the run's error.
void StopPeer(benchmark::State& state, Peer& peer, ChannelEnd& end,
              Message& message, bool ran) {
  if (ran) {
    try {
      message.Fill(kStopSequence);
      message.Send(end);
    } catch (const ChannelError&) {
      // The peer's own error, reported below, says why.
    }
  }
  const std::string error = peer.Finish(/*abandon=*/!ran);
  if (!error.empty() && ran) state.SkipWithError(error.c_str());
}

void PingPong(benchmark::State& state, const std::string& kind,
              PeerKind peer_kind, Pin pin, std::size_t size) {
  MainPlacement placement(pin);
  std::unique_ptr<Channel> channel;
  if (!FailOnException(state, [&] { channel = MakeChannel(kind); })) return;
  Peer peer(peer_kind, placement, *channel,
            [size](ChannelEnd& end) { EchoPeer(end, size); });
  ChannelEnd& end = channel->end(0);
  Message message(size);
  // The echo arrives in its own buffer, which still holds the previous
  // answer: a read that writes nothing fails the check.
  Message reply(size);
  std::uint64_t sequence = 0;
  const bool ran = TimedLoop(state, [&] {
    message.Fill(sequence);
    message.Send(end);
    reply.Receive(end, sequence);
    ++sequence;
  });
  StopPeer(state, peer, end, message, ran);
  if (!ran) return;
  // Every round trip was checked on both sides; this checks none was skipped.
  const auto expected =
      static_cast<std::uint64_t>(state.iterations()) + 1;  // + the warm-up
  if (!Verify(state, "round trips", sequence, expected)) return;
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(2 * size));
  state.counters["size"] = static_cast<double>(size);
}

void Throughput(benchmark::State& state, const std::string& kind,
                PeerKind peer_kind, Pin pin, std::size_t size) {
  const std::int64_t batch = BatchFor(size);
  MainPlacement placement(pin);
  std::unique_ptr<Channel> channel;
  if (!FailOnException(state, [&] { channel = MakeChannel(kind); })) return;
  Peer peer(peer_kind, placement, *channel,
            [size, batch](ChannelEnd& end) { SinkPeer(end, size, batch); });
  ChannelEnd& end = channel->end(0);
  Message message(size);
  Message ack(8);
  std::uint64_t sequence = 0;
  std::uint64_t acks = 0;
  const bool ran = TimedLoop(state, [&] {
    for (std::int64_t i = 0; i < batch; ++i) {
      message.Fill(sequence++);
      message.Send(end);
    }
    ack.Receive(end, acks++);
  });
  StopPeer(state, peer, end, message, ran);
  if (!ran) return;
  const auto expected = static_cast<std::uint64_t>(state.iterations()) + 1;
  if (!Verify(state, "acknowledged batches", acks, expected)) return;
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(state.iterations() * batch *
                          static_cast<std::int64_t>(size));
  state.counters["size"] = static_cast<double>(size);
  state.counters["batch"] = static_cast<double>(batch);
}

// The throughput rows' primary metric.
Metric BytesPerSecond() {
  return {"bytes_per_second", "B/s", Better::kHigher, MetricKind::kThroughput};
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  std::vector<Pin> pins = {Pin::kSame, Pin::kSplit, Pin::kNone};
  if (AllowedCpus().size() < 2) pins = {Pin::kSame, Pin::kNone};
  const Sizes sizes = ChooseSizes(config);
  for (const ChannelInfo& info : Channels()) {
    const std::string kind(info.name);
    const std::map<std::string, std::string> traits = {
        {"across_processes", info.across_processes ? "true" : "false"},
        {"blocking_waits", info.blocking_waits ? "true" : "false"}};
    for (PeerKind peer : {PeerKind::kProcess, PeerKind::kThread}) {
      if (peer == PeerKind::kProcess && !info.across_processes) continue;
      for (Pin pin : pins) {
        auto name = [&](const char* pattern, std::size_t size) {
          return Name("ipc", fmt::format("{}/{}", kind, pattern))
              .Param("peer", PeerName(peer))
              .Param("size", static_cast<std::int64_t>(size))
              .Param("pin", PinName(pin));
        };
        for (std::size_t size : sizes.pingpong) {
          specs.push_back(
              {.name = name("pingpong", size),
               .run =
                   [=](benchmark::State& state) {
                     PingPong(state, kind, peer, pin, size);
                   },
               .metric = Metric::RealTime(MetricKind::kLatency),
               .unit = benchmark::kMicrosecond,
               .traits = traits,
               .floor = floors::ChannelPingPong(kind, PinName(pin))});
        }
        for (std::size_t size : sizes.throughput) {
          specs.push_back({.name = name("throughput", size),
                           .run =
                               [=](benchmark::State& state) {
                                 Throughput(state, kind, peer, pin, size);
                               },
                           .metric = BytesPerSecond(),
                           .unit = benchmark::kMicrosecond,
                           .traits = traits,
                           .floor = floors::ChannelThroughput(
                               static_cast<std::int64_t>(size))});
        }
      }
    }
  }
}

CONCBENCH_WORKLOAD(ipc, Register, kSettings);

}  // namespace
}  // namespace concbench::ipc
