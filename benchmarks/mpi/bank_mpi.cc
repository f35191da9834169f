// bank over MPI ranks: the balance lives in an MPI window on rank 0 and every
// rank of the job updates it with one-sided operations, the distributed
// analogue of a shared Value with and without its lock. Half the ranks
// deposit 1 and half withdraw 1, `ops` times each (a lone rank alternates),
// so the balance must end where it started. Primitives:
//   mpi_fetch_and_op: MPI_Fetch_and_op(MPI_SUM), atomic, in one
//                     MPI_Win_lock_all epoch per round;
//   mpi_win_lock:     MPI_Win_lock(EXCLUSIVE), MPI_Get, add, MPI_Put,
//                     MPI_Win_unlock per update;
//   mpi_none:         MPI_Get, add, MPI_Put under the shared lock_all epoch
//                     only (racy: updates are lost, as the C++ `none` rows).
// mpi_none updates a tally word (deposits in its high half, withdrawals in
// its low half), so its lost_updates counter is exact and never fails the
// run; the other two must end exactly at the expected balance every round.
// Every rank counts the updates it made; rank 0 checks the counts add up.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "concbench/suite.h"
#include "concbench/verify.h"
#include "mpi/rounds.h"
#include "mpi/world.h"

namespace concbench::mpi_bank {
namespace {

enum class Form : std::int64_t { kFetchAndOp, kWinLock, kNone };

constexpr std::int64_t kStartBalance = 100;
// mpi_none's tally: a deposit adds kDeposit, a withdrawal adds 1.
constexpr std::int64_t kDeposit = std::int64_t{1} << 32;

// The window on rank 0 that holds the balance (a tally for mpi_none);
// created and freed collectively by every rank of the job.
class BalanceWindow {
 public:
  explicit BalanceWindow(MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    const MPI_Aint bytes = rank == 0 ? sizeof(std::int64_t) : 0;
    mpi::Check(MPI_Win_allocate(bytes, sizeof(std::int64_t), MPI_INFO_NULL,
                                comm, &base_, &win_),
               "MPI_Win_allocate");
  }
  ~BalanceWindow() { MPI_Win_free(&win_); }
  BalanceWindow(const BalanceWindow&) = delete;
  BalanceWindow& operator=(const BalanceWindow&) = delete;

  MPI_Win win() const { return win_; }

  // Rank 0: the value, read or written under an exclusive lock.
  std::int64_t Read() const {
    std::int64_t value = 0;
    mpi::Check(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_), "MPI_Win_lock");
    MPI_Get(&value, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, win_);
    mpi::Check(MPI_Win_unlock(0, win_), "MPI_Win_unlock");
    return value;
  }
  void Write(std::int64_t value) {
    mpi::Check(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_), "MPI_Win_lock");
    MPI_Put(&value, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, win_);
    mpi::Check(MPI_Win_unlock(0, win_), "MPI_Win_unlock");
  }

 private:
  std::int64_t* base_ = nullptr;
  MPI_Win win_ = MPI_WIN_NULL;
};

// A read-modify-write of the value on rank 0 by get, add and put, inside an
// epoch that the caller holds.
void GetAddPut(MPI_Win win, std::int64_t delta) {
  std::int64_t value = 0;
  MPI_Get(&value, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, win);
  mpi::Check(MPI_Win_flush(0, win), "MPI_Win_flush");
  value += delta;
  MPI_Put(&value, 1, MPI_INT64_T, 0, 0, 1, MPI_INT64_T, win);
  mpi::Check(MPI_Win_flush(0, win), "MPI_Win_flush");
}

// One rank's round: its updates through `form`; returns {deposits,
// withdrawals} made. The test seam makes a rank deposit once too often.
std::array<std::int64_t, 2> Updates(Form form, MPI_Win win, std::int64_t ops,
                                    int rank, int ranks) {
  std::array<std::int64_t, 2> made{0, 0};
  const std::int64_t count = ops + (mpi::CorruptsResults() ? 1 : 0);
  if (form != Form::kWinLock)
    mpi::Check(MPI_Win_lock_all(0, win), "MPI_Win_lock_all");
  for (std::int64_t i = 0; i < count; ++i) {
    const bool deposit = i == ops || (ranks == 1 ? i % 2 == 0 : rank % 2 == 0);
    ++made[deposit ? 0 : 1];
    const std::int64_t delta = deposit ? 1 : -1;
    switch (form) {
      case Form::kFetchAndOp: {
        std::int64_t old = 0;
        MPI_Fetch_and_op(&delta, &old, MPI_INT64_T, 0, 0, MPI_SUM, win);
        mpi::Check(MPI_Win_flush(0, win), "MPI_Win_flush");
        break;
      }
      case Form::kWinLock:
        mpi::Check(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win), "MPI_Win_lock");
        GetAddPut(win, delta);
        mpi::Check(MPI_Win_unlock(0, win), "MPI_Win_unlock");
        break;
      case Form::kNone:
        GetAddPut(win, deposit ? kDeposit : 1);
        break;
    }
  }
  if (form != Form::kWinLock)
    mpi::Check(MPI_Win_unlock_all(win), "MPI_Win_unlock_all");
  return made;
}

// A round on any rank: the updates, then the counts added on rank 0 (the
// reduction also ends the round: every update is done when it completes).
std::array<std::int64_t, 2> Round(Form form, MPI_Win win, std::int64_t ops,
                                  MPI_Comm comm) {
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  const std::array<std::int64_t, 2> made = Updates(form, win, ops, rank, ranks);
  std::array<std::int64_t, 2> total{};
  mpi::Check(
      MPI_Reduce(made.data(), total.data(), 2, MPI_INT64_T, MPI_SUM, 0, comm),
      "MPI_Reduce of the counts");
  return total;
}

void BankRanks(const mpi::Job& job, MPI_Comm comm) {
  const auto form = static_cast<Form>(job.args[0]);
  BalanceWindow window(comm);
  while (mpi::NextRound(comm)) Round(form, window.win(), job.args[1], comm);
}

const std::int32_t kBankJob = mpi::AddRankJob(&BankRanks);

// What one round should have made, deposits and withdrawals.
std::array<std::int64_t, 2> ExpectedCounts(std::int64_t ops, int ranks) {
  if (ranks == 1) return {(ops + 1) / 2, ops / 2};
  return {ops * ((ranks + 1) / 2), ops * (ranks / 2)};
}

struct Outcome {
  std::int64_t final_balance = 0;
  std::int64_t lost_updates = 0;
};

void Run(benchmark::State& state, Form form, std::int64_t ops, int ranks) {
  mpi::RoundJob job({kBankJob, ranks, {static_cast<std::int64_t>(form), ops}});
  // Freed after the job's stop (declared after it, destroyed before it, so
  // it ends the job itself first): the ranks free it when they stop.
  struct Window {
    mpi::RoundJob& job;
    BalanceWindow window;
    ~Window() { job.End(); }
  } window{job, BalanceWindow(job.comm())};
  const std::int64_t start = form == Form::kNone ? 0 : kStartBalance;
  const std::array<std::int64_t, 2> expected = ExpectedCounts(ops, ranks);
  const std::int64_t expected_balance =
      kStartBalance + expected[0] - expected[1];
  Outcome last;
  const bool ran = TimedLoop(state, [&] {
    {
      PausedTiming paused(state);
      window.window.Write(start);
    }
    job.Go();
    const std::array<std::int64_t, 2> made =
        Round(form, window.window.win(), ops, job.comm());
    PausedTiming paused(state);
    if (made != expected) {
      throw std::runtime_error(
          fmt::format("verification failed: the ranks made {} deposits and {} "
                      "withdrawals, expected {} and {}",
                      made[0], made[1], expected[0], expected[1]));
    }
    const std::int64_t value = window.window.Read();
    if (form == Form::kNone) {
      const std::int64_t deposits = value / kDeposit;
      const std::int64_t withdrawals = value % kDeposit;
      last = {kStartBalance + deposits - withdrawals,
              (made[0] - deposits) + (made[1] - withdrawals)};
      return;
    }
    last = {value, 0};
    if (value != expected_balance) {
      throw std::runtime_error(
          fmt::format("verification failed: the balance is {}, expected {}",
                      value, expected_balance));
    }
  });
  if (!ran) return;
  const std::int64_t updates = ops * ranks;
  state.SetItemsProcessed(state.iterations() * updates);
  state.counters["ops_per_second"] =
      benchmark::Counter(static_cast<double>(updates),
                         benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns_per_op"] =
      benchmark::Counter(static_cast<double>(updates) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
  state.counters["ranks"] = ranks;
  state.counters["final_balance"] = static_cast<double>(last.final_balance);
  state.counters["expected_balance"] = static_cast<double>(expected_balance);
  state.counters["balance_error"] =
      static_cast<double>(std::abs(last.final_balance - expected_balance));
  state.counters["lost_updates"] = static_cast<double>(last.lost_updates);
}

// The primary metric: every rank's updates per second of wall time.
const Metric kOpsPerSecond{"ops_per_second", "ops/s", Better::kHigher,
                           MetricKind::kRate};

struct FormInfo {
  const char* name;
  Form form;
  bool exact;  // ends at the expected balance (a lock or an atomic)
};

constexpr FormInfo kForms[] = {
    {"mpi_fetch_and_op", Form::kFetchAndOp, true},
    {"mpi_win_lock", Form::kWinLock, true},
    {"mpi_none", Form::kNone, false},
};

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  const std::int64_t ops = config.Setting("bank_mpi.ops");
  // 1, then even counts (half deposit, half withdraw), as the C++ rows.
  std::vector<int> counts = {1};
  for (int k = 2; k <= mpi::Size(); k += 2) {
    if (config.mode == SuiteMode::kFull || k == 2 || k == mpi::Size())
      counts.push_back(k);
  }
  for (const FormInfo& info : kForms) {
    for (const int ranks : counts) {
      specs.push_back(
          {.name = Name("bank", std::string(info.name) + "/ranks")
                       .Param("ops", ops)
                       .Param("ranks", ranks),
           .run =
               [form = info.form, ops, ranks](benchmark::State& state) {
                 Run(state, form, ops, ranks);
               },
           .metric = kOpsPerSecond,
           .traits = {{"lock", info.form == Form::kWinLock ? "true" : "false"},
                      {"exact", info.exact ? "true" : "false"},
                      {"process_shared", "true"},
                      {"runs_in", "processes"},
                      {"start_method", "mpirun"}}});
    }
  }
}

constexpr SettingInfo kSettings[] = {
    {"bank_mpi.ops", 20'000, 2'000, 100, 1, 100'000'000,
     "updates per rank per round of the MPI bank rows (one-sided "
     "operations cost microseconds, not nanoseconds)"},
};

CONCBENCH_WORKLOAD(bank_mpi, Register, kSettings);

}  // namespace
}  // namespace concbench::mpi_bank
