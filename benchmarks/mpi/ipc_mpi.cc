// ipc between two MPI ranks: round-trip latency (pingpong) and one-way
// throughput, at the ipc workload's sizes and placements and with its
// checked messages (message.h), so that `ipc/mpi/...` rows sit beside pipe,
// shm_ring and message_queue in the same charts. Rank 1 echoes (or sinks)
// until the stop message; rank 0 times. On one host OpenMPI carries the
// bytes through its shared-memory transport (waits spin); across hosts,
// through its network transport.
#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "concbench/affinity.h"
#include "concbench/channel.h"
#include "concbench/floors.h"
#include "concbench/message.h"
#include "concbench/peer.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "ipc/exchange.h"
#include "ipc/sizes.h"
#include "mpi/world.h"

namespace concbench::ipc {
namespace {

constexpr int kMessageTag = 3;

// One side of a two-rank conversation as a ChannelEnd: each Write is one
// MPI message to the other rank, each Read receives one and must get
// exactly the bytes asked for.
class RankEnd final : public ChannelEnd {
 public:
  RankEnd(MPI_Comm comm, int peer) : comm_(comm), peer_(peer) {}

  void Write(std::span<const std::byte> bytes) override {
    mpi::Check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE,
                        peer_, kMessageTag, comm_),
               "MPI_Send of a message");
  }

  void Read(std::span<std::byte> bytes) override {
    MPI_Status status;
    mpi::Check(MPI_Recv(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE,
                        peer_, kMessageTag, comm_, &status),
               "MPI_Recv of a message");
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    if (count != static_cast<int>(bytes.size())) {
      throw ChannelError(fmt::format("received {} bytes of a {}-byte message",
                                     count, bytes.size()));
    }
  }

 private:
  MPI_Comm comm_;
  int peer_;
};

enum class Mode : std::int64_t { kPingPong, kThroughput };

// The test seam: spoils a message's first mark, which the receiver checks.
void Corrupt(Message& message) { message.payload()[0] ^= std::byte{1}; }

// Rank 1: echoes every message, or receives batches and acknowledges each,
// until the stop message, placed as rank 0 asked.
void PeerRank(const mpi::Job& job, MPI_Comm comm) {
  const auto mode = static_cast<Mode>(job.args[0]);
  const auto size = static_cast<std::size_t>(job.args[1]);
  const ScopedPin pin(static_cast<int>(job.args[2]));
  RankEnd end(comm, 0);
  const Tamper tamper = mpi::CorruptsResults() ? &Corrupt : nullptr;
  if (mode == Mode::kPingPong) {
    EchoPeer(end, size, tamper);
  } else {
    SinkPeer(end, size, job.args[3], tamper);
  }
}

const std::int32_t kPeerJob = mpi::AddRankJob(&PeerRank);

// Rank 0: starts rank 1's side and, when destroyed, sends it the stop
// message, however the benchmark ended.
class PeerRankJob {
 public:
  PeerRankJob(Mode mode, std::size_t size, int peer_cpu, std::int64_t batch)
      : comm_(mpi::StartJob(
            {kPeerJob,
             2,
             {static_cast<std::int64_t>(mode), static_cast<std::int64_t>(size),
              peer_cpu, batch, 0, 0}})),
        end_(comm_, 1),
        stop_(size) {}
  ~PeerRankJob() {
    stop_.Fill(kStopSequence);
    stop_.Send(end_);
  }
  PeerRankJob(const PeerRankJob&) = delete;
  PeerRankJob& operator=(const PeerRankJob&) = delete;

  ChannelEnd& end() { return end_; }

 private:
  MPI_Comm comm_;
  RankEnd end_;
  Message stop_;
};

void PingPong(benchmark::State& state, Pin pin, std::size_t size) {
  MainPlacement placement(pin);
  PeerRankJob peer(Mode::kPingPong, size, placement.peer_cpu(), 0);
  TimedPingPong(state, peer.end(), size, [](Message&, bool) {});
}

void Throughput(benchmark::State& state, Pin pin, std::size_t size) {
  const std::int64_t batch = BatchFor(size);
  MainPlacement placement(pin);
  PeerRankJob peer(Mode::kThroughput, size, placement.peer_cpu(), batch);
  TimedThroughput(state, peer.end(), size, batch, [](Message&, bool) {});
}

// The throughput rows' primary metric, as the other channels'.
const Metric kBytesPerSecond{"bytes_per_second", "B/s", Better::kHigher,
                             MetricKind::kThroughput};

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  if (mpi::Size() < 2) return;  // two ranks talk
  const Sizes sizes = ChooseSizes(config);
  // As the channels' traits: across processes, waits that spin (OpenMPI's
  // shared-memory transport polls).
  const std::map<std::string, std::string> traits = {
      {"across_processes", "true"}, {"blocking_waits", "false"}};
  for (const Pin pin : Placements()) {
    auto name = [&](const char* mode, std::size_t size) {
      return Name("ipc", fmt::format("mpi/{}", mode))
          .Param("peer", PeerName(PeerKind::kProcess))
          .Param("size", static_cast<std::int64_t>(size))
          .Param("pin", PinName(pin));
    };
    // MPI's shared-memory transport spins, as shm_ring does: the spin round
    // trip is its floor between two CPUs.
    const std::string pingpong_floor =
        pin == Pin::kSplit ? floors::SpinPingPong(pin).str() : "";
    for (const std::size_t size : sizes.pingpong) {
      specs.push_back(
          {.name = name("pingpong", size),
           .run = [=](benchmark::State& state) { PingPong(state, pin, size); },
           .metric = Metric::RealTime(MetricKind::kLatency),
           .unit = benchmark::kMicrosecond,
           .traits = traits,
           .floor = pingpong_floor});
    }
    for (const std::size_t size : sizes.throughput) {
      specs.push_back(
          {.name = name("throughput", size),
           .run =
               [=](benchmark::State& state) { Throughput(state, pin, size); },
           .metric = kBytesPerSecond,
           .unit = benchmark::kMicrosecond,
           .traits = traits,
           .floor =
               floors::ChannelThroughput(static_cast<std::int64_t>(size))});
    }
  }
}

CONCBENCH_WORKLOAD(ipc_mpi, Register, kSettings);

}  // namespace
}  // namespace concbench::ipc
