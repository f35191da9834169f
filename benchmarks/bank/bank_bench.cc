// bank: what each way of protecting shared state costs, between threads and
// between processes, and what goes wrong without one.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "bank/bank.h"
#include "bank/primitives.h"
#include "bank/score.h"
#include "concbench/suite.h"
#include "concbench/verify.h"

namespace concbench::bank {
namespace {

template <class P>
void Run(benchmark::State& state, CrewMode mode, const Params& params) {
  std::unique_ptr<Bank<P>> bank;
  if (!FailOnException(state,
                       [&] { bank = std::make_unique<Bank<P>>(mode, params); }))
    return;
  RoundResult last;
  Score score;
  // A time-boxed round needs no warm-up: its rate comes from the workers'
  // own counts, and a first round's page faults cost it a few updates only.
  // Its iteration time is set by hand (the box itself is constant): the
  // time per update in the contended phase.
  const bool timed = params.time_box.has_value();
  const WarmUp warm_up = timed ? WarmUp::kNo : WarmUp::kYes;
  bool warming = warm_up == WarmUp::kYes;
  const bool ran = TimedLoop(
      state,
      [&] {
        last = bank->Round();
        // Every round of an exact primitive is checked, the warm-up too; a
        // wrong one fails the run at once (TimedLoop: SkipWithError).
        if (Bank<P>::kExact && last.final_balance != last.expected_balance)
          throw std::runtime_error(fmt::format(
              "verification failed: final balance is {}, expected {}",
              last.final_balance, last.expected_balance));
        if (std::exchange(warming, false)) return;  // counts in no rate
        score.Add(last);
        if (timed) state.SetIterationTime(SecondsPerUpdate(last));
      },
      warm_up);
  bank.reset();
  if (!ran) return;
  score.Report(state, last, params.workers);
}

struct Sizes {
  std::vector<int> ops_workers;    // 1 (uncontended), then even, <= cores
  std::vector<int> timed_workers;  // even, up to twice the cores
  std::int64_t ops;                // per worker, for throughput
  // Rounds per repetition of the throughput and time-boxed forms (0: as
  // many as fill --benchmark_min_time). Their rounds are long and timed by
  // the workers, so a few suffice, and Google Benchmark's probing runs would
  // triple the full run's length.
  std::int64_t rounds;
  std::int64_t seed_ops;  // the seed's round
  std::int64_t timed_ms;
  std::int64_t sleep_us;
  std::int64_t sleep_ops;
  std::int64_t cs;
  std::int64_t cs_ops;
};

// The forms every primitive runs: a fixed number of updates per worker, with
// one worker (uncontended) and contended up to the cores; and time-boxed up to
// twice the cores, for fairness and for oversubscription, where a fixed count
// could take unbounded time (a FIFO lock handing over to a preempted waiter).
// The seed's round, the sleeping round and the critical-section round run
// only for the race and the reference locks, to keep the full run short.
template <class P>
void AddPrimitive(std::vector<BenchmarkSpec>& specs, CrewMode mode,
                  const Sizes& sizes) {
  constexpr const PrimitiveTraits& kTraits = P::kTraits;
  if (mode == CrewMode::kProcesses && !kTraits.process_shared) return;
  // A time-boxed form's iteration time is its time per update (nanoseconds).
  auto add = [&](const Name& name, Params params, std::int64_t iterations = 0) {
    const bool timed = params.time_box.has_value();
    specs.push_back(
        {.name = name,
         .run = [mode, params](
                    benchmark::State& state) { Run<P>(state, mode, params); },
         .metric = {"ns_per_op", "ns", Better::kLower, MetricKind::kRate},
         .unit = timed ? benchmark::kNanosecond : benchmark::kMicrosecond,
         .manual_time = timed,
         .iterations = iterations,
         .traits = TraitsMap(kTraits)});
  };
  auto base = [&] {
    return Name("bank", kTraits.name).Mode(CrewModeName(mode));
  };
  for (int workers : sizes.ops_workers) {
    Params params;
    params.workers = workers;
    params.ops = sizes.ops;
    add(base().Param("ops", sizes.ops).Param("workers", workers), params,
        sizes.rounds);
  }
  for (int workers : sizes.timed_workers) {
    Params timed;
    timed.workers = workers;
    timed.time_box = std::chrono::milliseconds(sizes.timed_ms);
    // One round per repetition, always: its manual time is ns per update, so
    // letting Google Benchmark grow the iterations to fill min_time would run
    // millions of time boxes.
    add(base().Param("timed_ms", sizes.timed_ms).Param("workers", workers),
        timed, 1);
  }
  if (!kTraits.reference) return;
  if (sizes.seed_ops != sizes.ops) {
    Params seed;
    seed.ops = sizes.seed_ops;
    add(base().Param("ops", seed.ops).Param("workers", 2), seed);
  }
  Params cs;
  cs.ops = sizes.cs_ops;
  cs.cs = static_cast<int>(sizes.cs);
  add(base().Param("ops", cs.ops).Param("workers", 2).Param("cs", sizes.cs),
      cs);
  Params sleep;
  sleep.ops = sizes.sleep_ops;
  sleep.sleep_us = sizes.sleep_us;
  add(base()
          .Param("ops", sleep.ops)
          .Param("workers", 2)
          .Param("sleep_us", sizes.sleep_us),
      sleep);
}

// Each primitive with threads, then (if process-shared) with processes.
template <class... P>
void AddEvery(std::vector<BenchmarkSpec>& specs, const Sizes& sizes,
              std::tuple<P...>* /*list*/) {
  ((AddPrimitive<P>(specs, CrewMode::kThreads, sizes),
    AddPrimitive<P>(specs, CrewMode::kProcesses, sizes)),
   ...);
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  Sizes sizes;
  // Even counts: half depositors, half withdrawers.
  for (int workers : config.WorkerCounts()) {
    if (workers == 1 || (workers % 2 == 0 && workers <= config.cores))
      sizes.ops_workers.push_back(workers);
    if (workers % 2 == 0) sizes.timed_workers.push_back(workers);
  }
  sizes.ops = config.Setting("bank.ops");
  sizes.rounds = config.Setting("bank.rounds");
  sizes.seed_ops = config.Setting("bank.seed_ops");
  sizes.timed_ms = config.Setting("bank.timed_ms");
  sizes.sleep_us = config.Setting("bank.sleep_us");
  sizes.sleep_ops = config.Setting("bank.sleep_ops");
  sizes.cs = config.Setting("bank.cs");
  sizes.cs_ops = config.Setting("bank.cs_ops");
  AddEvery(specs, sizes, static_cast<Primitives*>(nullptr));
}

constexpr std::int64_t kMaxOps = 1'000'000'000;
constexpr SettingInfo kSettings[] = {
    {"bank.ops", 1'000'000, 20'000, 200, 1, kMaxOps,
     "updates per worker of the fixed-count rounds"},
    {"bank.rounds", 5, 2, 0, 0, 1000,
     "rounds per repetition of the fixed-count forms (0: as many as "
     "--benchmark_min_time fills); a time-boxed form runs one round"},
    {"bank.seed_ops", 10'000, 10'000, 100, 1, kMaxOps,
     "updates per worker of the seed's round (2 workers)"},
    {"bank.timed_ms", 250, 10, 2, 1, 60'000, "length of a time-boxed round"},
    {"bank.sleep_us", 10, 10, 1, 1, 1'000'000,
     "sleep after each update of the sleeping round"},
    {"bank.sleep_ops", 1'000, 100, 10, 1, kMaxOps,
     "updates per worker of the sleeping round"},
    {"bank.cs", 100, 100, 10, 0, 1'000'000,
     "spins inside each update's critical section (the cs round)"},
    {"bank.cs_ops", 100'000, 5'000, 100, 1, kMaxOps,
     "updates per worker of the critical-section round"},
};

CONCBENCH_WORKLOAD(bank, Register, kSettings);

}  // namespace
}  // namespace concbench::bank
