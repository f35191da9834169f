// One bank: a primitive, the balance it protects and the workers that update
// it, run round after round. Each round starts from kStartBalance and ends
// with the final balance, what it should be, the updates lost (exactly, for
// a primitive that is not exact) and what each worker did while every worker
// was running (the contended phase).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bank/traits.h"
#include "bank/workload.h"
#include "concbench/cache_line.h"
#include "concbench/crew.h"
#include "concbench/shared_memory.h"

namespace concbench::bank {

// What a round does. Either `ops` updates per worker, or (timed) as many as
// fit in `time_box`.
struct Params {
  int workers = 2;
  std::int64_t ops = 10'000;
  std::optional<std::chrono::microseconds> time_box;
  std::int64_t sleep_us = 0;  // a sleep after every update, as in the seed
  int cs = 0;                 // critical-section length (CriticalSection)
  std::vector<int> cpus;      // pin worker i to cpus[i % size]; empty: no
  PrimitiveOptions primitive;
};

struct RoundResult {
  std::int64_t final_balance = 0;
  std::int64_t expected_balance = 0;
  // Updates made but missing from the result: counted exactly from the
  // tally for a primitive that is not exact; |final - expected| otherwise
  // (0 whenever the primitive did its job).
  std::int64_t lost_updates = 0;
  std::int64_t total_ops = 0;
  double seconds = 0;  // wall time from the start line to the last finish
  // The contended phase: from the last worker's start to the first one's
  // finish, and the updates made in it, in all and by the fewest and the
  // most of any one worker.
  double contended_seconds = 0;
  std::int64_t contended_ops = 0;
  std::int64_t fewest_contended = 0;
  std::int64_t most_contended = 0;
};

// Where the word the primitive updates lives: in process memory for a
// primitive that only works between threads, in a SharedValue (a shared
// segment forked workers write) for one that works between processes.
template <bool kShared>
class Cell {
 public:
  std::int64_t& get() { return cell_->value; }

 private:
  struct alignas(kCacheLine) Line {
    std::int64_t value = 0;
  };
  std::unique_ptr<Line> cell_ = std::make_unique<Line>();
};

template <>
class Cell<true> {
 public:
  std::int64_t& get() { return value_.value(); }

 private:
  SharedValue<std::int64_t> value_{0, Locking::kNoLock};
};

// A primitive P: kTraits (its row of the traits table, traits.h), a
// constructor from PrimitiveOptions, and Apply(word, delta, cs) that makes
// one update: adds delta to the balance, or for a primitive that is not
// exact adds TallyUnit(delta) to the tally word.
template <class P>
class Bank {
 public:
  static constexpr bool kExact = P::kTraits.exact;

  // Creates the primitive and starts the workers. Throws std::logic_error
  // for processes with a primitive that is not process-shared.
  Bank(CrewMode mode, Params params)
      : params_(std::move(params)),
        primitive_(params_.primitive),
        crew_(
            CheckedMode(mode), params_.workers,
            [this](Shift& shift) { return Work(shift); }, params_.cpus) {}
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  // One complete deposit/withdraw round. Throws std::runtime_error when a
  // worker failed (a lock timeout) or died, or when a round of a primitive
  // that is not exact made more updates than its tally counts.
  RoundResult Round() {
    std::atomic_ref<std::int64_t>(cell_.get())
        .store(kExact ? kStartBalance : 0, std::memory_order_relaxed);
    const CrewRound& round = crew_.Round(params_.time_box);
    const std::int64_t word = std::atomic_ref<std::int64_t>(cell_.get())
                                  .load(std::memory_order_relaxed);
    RoundResult result;
    std::vector<std::int64_t> ops;
    Updates made;
    for (int worker = 0; worker < params_.workers; ++worker) {
      const Lap& lap = round.laps[static_cast<size_t>(worker)];
      ops.push_back(lap.ops);
      const Updates mine = UpdatesMade(worker, params_.workers, lap.ops);
      made.deposits += mine.deposits;
      made.withdrawals += mine.withdrawals;
      result.total_ops += lap.ops;
      result.contended_ops += lap.contended_ops();
      result.fewest_contended =
          worker == 0 ? lap.contended_ops()
                      : std::min(result.fewest_contended, lap.contended_ops());
      result.most_contended =
          std::max(result.most_contended, lap.contended_ops());
    }
    result.seconds = round.seconds;
    result.contended_seconds = round.contended_seconds;
    result.expected_balance = ExpectedBalance(ops);
    if constexpr (kExact) {
      result.final_balance = word;
      result.lost_updates = std::abs(word - result.expected_balance);
    } else {
      if (made.deposits > static_cast<std::int64_t>(kMaxTally) ||
          made.withdrawals > static_cast<std::int64_t>(kMaxTally))
        throw std::runtime_error(
            "too many updates in one round for the tally to count lost ones");
      const Updates applied = TallyIn(word);
      if (applied.deposits > made.deposits ||
          applied.withdrawals > made.withdrawals)
        throw std::runtime_error("the tally holds more updates than were made");
      result.final_balance =
          kStartBalance + applied.deposits - applied.withdrawals;
      result.lost_updates = (made.deposits - applied.deposits) +
                            (made.withdrawals - applied.withdrawals);
    }
    return result;
  }

  P& primitive() { return primitive_; }

 private:
  static CrewMode CheckedMode(CrewMode mode) {
    if (mode == CrewMode::kProcesses && !P::kTraits.process_shared)
      throw std::logic_error("this primitive works between threads only");
    return mode;
  }

  std::int64_t Work(Shift& shift) {
    // Locals: the word is an int64_t& that may alias params_ as far as the
    // compiler knows, which would reload them after every update.
    std::int64_t& word = cell_.get();
    const int worker = shift.worker();
    const int workers = params_.workers;
    const bool timed = params_.time_box.has_value();
    const std::int64_t ops = params_.ops;
    const int cs = params_.cs;
    const std::chrono::microseconds sleep(params_.sleep_us);
    std::int64_t done = 0;
    while (!shift.Tally(done) && (timed || done < ops)) {
      primitive_.Apply(word, Delta(worker, workers, done), cs);
      if (sleep.count() > 0) std::this_thread::sleep_for(sleep);
      ++done;
    }
    return done;
  }

  Params params_;
  Cell<P::kTraits.process_shared> cell_;
  // Lines of their own: a lock written on every update shares no line with
  // what the workers only read.
  alignas(kCacheLine) P primitive_;
  alignas(kCacheLine) Crew crew_;  // last: its workers stop before the rest
};

}  // namespace concbench::bank
