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

#include "concbench/channel.h"
#include "concbench/floors.h"
#include "concbench/message.h"
#include "concbench/peer.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "ipc/exchange.h"
#include "ipc/sizes.h"

namespace concbench::ipc {
namespace {

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
  TimedPingPong(state, end, size, [&](Message& message, bool ran) {
    StopPeer(state, peer, end, message, ran);
  });
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
  TimedThroughput(state, end, size, batch, [&](Message& message, bool ran) {
    StopPeer(state, peer, end, message, ran);
  });
}

// The throughput rows' primary metric.
Metric BytesPerSecond() {
  return {"bytes_per_second", "B/s", Better::kHigher, MetricKind::kThroughput};
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  const std::vector<Pin> pins = Placements();
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
          specs.push_back({.name = name("pingpong", size),
                           .run =
                               [=](benchmark::State& state) {
                                 PingPong(state, kind, peer, pin, size);
                               },
                           .metric = Metric::RealTime(MetricKind::kLatency),
                           .unit = benchmark::kMicrosecond,
                           .traits = traits,
                           .floor = floors::ChannelPingPong(info, pin)});
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
