// The two sides of ipc's pingpong and throughput over any ChannelEnd: the
// peer's echo and sink, and the timed loops with their checks and counters.
// Shared by the ipc workload (every channel) and concbench_mpi's ipc rows
// (two MPI ranks), so that both measure exactly the same exchange.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>

#include "concbench/channel.h"
#include "concbench/message.h"
#include "concbench/suite.h"
#include "concbench/verify.h"

namespace concbench::ipc {

// Test seam: applied to every message the peer sends back (null: none).
using Tamper = void (*)(Message&);

// The peer echoes every message back until it receives the stop message.
inline void EchoPeer(ChannelEnd& end, std::size_t size,
                     Tamper tamper = nullptr) {
  Message message(size);
  for (std::uint64_t expected = 0;; ++expected) {
    if (message.Receive(end, expected) == kStopSequence) return;
    if (tamper != nullptr) tamper(message);
    message.Send(end);
  }
}

// The peer receives `batch` messages, then acknowledges them with one small
// message, until a batch starts with the stop message.
inline void SinkPeer(ChannelEnd& end, std::size_t size, std::int64_t batch,
                     Tamper tamper = nullptr) {
  Message message(size);
  Message ack(8);
  std::uint64_t expected = 0;
  for (std::uint64_t acks = 0;; ++acks) {
    for (std::int64_t i = 0; i < batch; ++i, ++expected) {
      if (message.Receive(end, expected) == kStopSequence) return;
    }
    ack.Fill(acks);
    if (tamper != nullptr) tamper(ack);
    ack.Send(end);
  }
}

// One message there and back per iteration over `end`, whose peer runs
// EchoPeer. `after_loop(message, ran)` runs as soon as the loop ends (to
// stop the peer); then the count of round trips is checked and the counters
// set.
template <class AfterLoop>
void TimedPingPong(benchmark::State& state, ChannelEnd& end, std::size_t size,
                   AfterLoop&& after_loop) {
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
  after_loop(message, ran);
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

// `batch` messages one way and one acknowledgement per iteration over
// `end`, whose peer runs SinkPeer; `after_loop` as in TimedPingPong.
template <class AfterLoop>
void TimedThroughput(benchmark::State& state, ChannelEnd& end, std::size_t size,
                     std::int64_t batch, AfterLoop&& after_loop) {
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
  after_loop(message, ran);
  if (!ran) return;
  const auto expected = static_cast<std::uint64_t>(state.iterations()) + 1;
  if (!Verify(state, "acknowledged batches", acks, expected)) return;
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(state.iterations() * batch *
                          static_cast<std::int64_t>(size));
  state.counters["size"] = static_cast<double>(size);
  state.counters["batch"] = static_cast<double>(batch);
}

}  // namespace concbench::ipc
