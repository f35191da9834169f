// sum_squares and sum_squares_skewed over MPI ranks: the same maps as the
// other variants (sum_squares/workload.h), tasks spread over the ranks of
// one mpirun, results combined on rank 0 and checked against the closed
// forms in every round. Two distributions:
//   static:  rank r of k takes the r-th contiguous block of tasks, then one
//            MPI_Reduce adds the parts;
//   dynamic: rank 0 only hands out chunks on request (Python's chunk rule,
//            `auto`, or 1) and adds what comes back; ranks 1..k-1 compute.
// Every rank checks its own part against the closed form before sending it
// (a few integer operations per task, inside the timed region; a task is
// thousands), and rank 0 checks the total and that every task was counted.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "concbench/suite.h"
#include "concbench/verify.h"
#include "mpi/rounds.h"
#include "mpi/world.h"
#include "sum_squares/settings.h"
#include "sum_squares/workload.h"

namespace concbench::sum_squares {
namespace {

// A job's arguments: the shape and, for the dynamic form, the chunk size.
struct MapArgs {
  bool skewed = false;
  std::int64_t tasks = 0;
  std::int64_t inner = 0;  // uniform only
  std::int64_t chunk = 0;  // dynamic only

  mpi::Job ToJob(std::int32_t handler, int ranks) const {
    return {handler, ranks, {skewed ? 1 : 0, tasks, inner, chunk, 0, 0}};
  }
  static MapArgs From(const mpi::Job& job) {
    return {job.args[0] != 0, job.args[1], job.args[2], job.args[3]};
  }
  std::uint64_t Bound(std::int64_t task) const {
    return static_cast<std::uint64_t>(skewed ? task : inner);
  }
  std::uint64_t Expected() const {
    const auto t = static_cast<std::uint64_t>(tasks);
    return skewed ? ExpectedSkewed(t)
                  : ExpectedUniform(t, static_cast<std::uint64_t>(inner));
  }
};

// Computes tasks [begin, end) and checks the sum against the closed form:
// returns {sum, 1 if wrong else 0}. The test seam makes a rank's sum wrong.
std::array<std::uint64_t, 2> ComputePart(const MapArgs& args,
                                         std::int64_t begin, std::int64_t end) {
  std::uint64_t sum = 0;
  std::uint64_t expected = 0;
  for (std::int64_t task = begin; task < end; ++task) {
    sum += SumSquaresBelow(args.Bound(task));
    expected += SquaresBelow(args.Bound(task));
  }
  if (mpi::CorruptsResults()) ++sum;
  return {sum, sum == expected ? 0u : 1u};
}

// Rank r's block of tasks among k ranks.
std::pair<std::int64_t, std::int64_t> Block(std::int64_t tasks, int rank,
                                            int ranks) {
  return {tasks * rank / ranks, tasks * (rank + 1) / ranks};
}

// Rank 0's check of a round: no rank found its part wrong, every task was
// counted, and the total is the closed form's.
void CheckRound(const MapArgs& args, std::uint64_t total,
                std::uint64_t wrong_parts, std::int64_t counted) {
  if (wrong_parts != 0) {
    throw std::runtime_error(fmt::format(
        "verification failed: {} part(s) computed by the ranks disagree with "
        "the closed form",
        wrong_parts));
  }
  if (counted != args.tasks) {
    throw std::runtime_error(fmt::format(
        "verification failed: {} of {} tasks counted", counted, args.tasks));
  }
  if (total != args.Expected()) {
    throw std::runtime_error(
        fmt::format("verification failed: total is {}, expected {}", total,
                    args.Expected()));
  }
}

// --- static: blocks and one MPI_Reduce ------------------------------------

std::array<std::uint64_t, 2> StaticPart(const MapArgs& args, MPI_Comm comm) {
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  const auto [begin, end] = Block(args.tasks, rank, ranks);
  const std::array<std::uint64_t, 2> part = ComputePart(args, begin, end);
  std::array<std::uint64_t, 2> total{};
  mpi::Check(
      MPI_Reduce(part.data(), total.data(), 2, MPI_UINT64_T, MPI_SUM, 0, comm),
      "MPI_Reduce of the parts");
  return total;
}

void StaticRanks(const mpi::Job& job, MPI_Comm comm) {
  const MapArgs args = MapArgs::From(job);
  while (mpi::NextRound(comm)) StaticPart(args, comm);
}

const std::int32_t kStaticJob = mpi::AddRankJob(&StaticRanks);

// --- dynamic: rank 0 hands out chunks on request --------------------------

constexpr int kReportTag = 1;  // rank -> 0: {begin, end, sum, wrong}
constexpr int kChunkTag = 2;   // 0 -> rank: {begin, end}; empty: round over

void DynamicRanks(const mpi::Job& job, MPI_Comm comm) {
  const MapArgs args = MapArgs::From(job);
  while (mpi::NextRound(comm)) {
    std::array<std::int64_t, 2> chunk{0, 0};
    std::array<std::uint64_t, 2> part{0, 0};
    for (;;) {
      const std::array<std::uint64_t, 4> report{
          static_cast<std::uint64_t>(chunk[0]),
          static_cast<std::uint64_t>(chunk[1]), part[0], part[1]};
      mpi::Check(MPI_Send(report.data(), 4, MPI_UINT64_T, 0, kReportTag, comm),
                 "MPI_Send of a report");
      mpi::Check(MPI_Recv(chunk.data(), 2, MPI_INT64_T, 0, kChunkTag, comm,
                          MPI_STATUS_IGNORE),
                 "MPI_Recv of a chunk");
      if (chunk[0] == chunk[1]) break;
      part = ComputePart(args, chunk[0], chunk[1]);
    }
  }
}

const std::int32_t kDynamicJob = mpi::AddRankJob(&DynamicRanks);

// One round on rank 0: answers every report with the next chunk until the
// tasks run out, then with an empty chunk, once per computing rank.
void DynamicRound(const MapArgs& args, MPI_Comm comm, int ranks) {
  std::int64_t next = 0;
  std::int64_t counted = 0;
  std::uint64_t total = 0;
  std::uint64_t wrong = 0;
  for (int finished = 0; finished < ranks - 1;) {
    std::array<std::uint64_t, 4> report{};
    MPI_Status status;
    mpi::Check(MPI_Recv(report.data(), 4, MPI_UINT64_T, MPI_ANY_SOURCE,
                        kReportTag, comm, &status),
               "MPI_Recv of a report");
    counted += static_cast<std::int64_t>(report[1] - report[0]);
    total += report[2];
    wrong += report[3];
    std::array<std::int64_t, 2> chunk{0, 0};  // empty: this rank is done
    if (next < args.tasks) {
      chunk = {next, std::min(next + args.chunk, args.tasks)};
      next = chunk[1];
    } else {
      ++finished;
    }
    mpi::Check(MPI_Send(chunk.data(), 2, MPI_INT64_T, status.MPI_SOURCE,
                        kChunkTag, comm),
               "MPI_Send of a chunk");
  }
  CheckRound(args, total, wrong, counted);
}

// --- rank 0's benchmarks --------------------------------------------------

void Run(benchmark::State& state, const MapArgs& args, int ranks) {
  const bool dynamic = args.chunk > 0;
  mpi::RoundJob job(args.ToJob(dynamic ? kDynamicJob : kStaticJob, ranks));
  const bool ran = TimedLoop(state, [&] {
    job.Go();
    if (dynamic) {
      DynamicRound(args, job.comm(), ranks);
      return;
    }
    const std::array<std::uint64_t, 2> total = StaticPart(args, job.comm());
    PausedTiming paused(state);
    CheckRound(args, total[0], total[1], args.tasks);
  });
  if (!ran) return;
  state.SetItemsProcessed(state.iterations() * args.tasks);
  state.counters["tasks"] = static_cast<double>(args.tasks);
  state.counters["ranks"] = ranks;
  state.counters["seconds_per_task"] =
      benchmark::Counter(static_cast<double>(args.tasks),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

// Python's Pool.map rule: tasks / (4 * workers), rounded up.
std::int64_t AutoChunk(std::int64_t tasks, int workers) {
  const std::int64_t parts = 4 * static_cast<std::int64_t>(workers);
  return std::max<std::int64_t>(1, (tasks + parts - 1) / parts);
}

// The rank counts of this run: the worker counts of the mode that fit in
// the world, and the whole world.
std::vector<int> RankCounts(const SuiteConfig& config) {
  std::vector<int> counts = config.mode == SuiteMode::kFull
                                ? config.WorkerCounts()
                                : config.FewWorkerCounts();
  std::erase_if(counts, [](int k) { return k > mpi::Size(); });
  if (std::find(counts.begin(), counts.end(), mpi::Size()) == counts.end())
    counts.push_back(mpi::Size());
  return counts;
}

void AddShape(std::vector<BenchmarkSpec>& specs, const SuiteConfig& config,
              const std::string& workload, MapArgs args) {
  auto add = [&](const std::string& form, int ranks, const MapArgs& with,
                 const char* chunk) {
    Name name(workload, "mpi/" + form);
    name.Param("tasks", with.tasks);
    if (!with.skewed) name.Param("inner", with.inner);
    name.Param("ranks", ranks);
    if (chunk != nullptr) name.Param("chunk", chunk);
    specs.push_back(
        {.name = name,
         .run = [with,
                 ranks](benchmark::State& state) { Run(state, with, ranks); },
         .metric = Metric::RealTime(MetricKind::kCpu),
         .traits = {{"runs_in", "processes"},
                    {"start_method", "mpirun"},
                    {"distribution", form},
                    {"caller_works", with.chunk > 0 ? "false" : "true"}}});
  };
  for (const int ranks : RankCounts(config)) {
    add("static", ranks, args, nullptr);
    if (ranks < 2) continue;  // the dynamic form needs a computing rank
    MapArgs dynamic = args;
    dynamic.chunk = AutoChunk(args.tasks, ranks - 1);
    add("dynamic", ranks, dynamic, "auto");
    dynamic.chunk = 1;
    add("dynamic", ranks, dynamic, "1");
  }
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  AddShape(specs, config, "sum_squares",
           {.skewed = false,
            .tasks = config.Setting("sum_squares.tasks"),
            .inner = config.Setting("sum_squares.inner")});
  AddShape(
      specs, config, "sum_squares_skewed",
      {.skewed = true, .tasks = config.Setting("sum_squares_skewed.tasks")});
}

CONCBENCH_WORKLOAD(sum_squares_mpi, Register, kSettings);

}  // namespace
}  // namespace concbench::sum_squares
