// One bank: a primitive, the balance it protects and the workers that update
// it, run round after round. Each round starts from kStartBalance and ends
// with the final balance and what it should be.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <thread>
#include <vector>

#include "bank/crew.h"
#include "bank/workload.h"
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
  std::int64_t total_ops = 0;
  std::int64_t fewest_ops = 0;  // by any one worker
  std::int64_t most_ops = 0;
  double seconds = 0;  // wall time from the start line to the last report
};

// Where the balance lives: in process memory for a primitive that only works
// between threads, in a SharedValue (a shared segment forked workers write)
// for one that works between processes.
template <bool kShared>
class BalanceCell {
 public:
  std::int64_t& get() { return cell_->value; }

 private:
  struct alignas(64) Cell {
    std::int64_t value = kStartBalance;
  };
  std::unique_ptr<Cell> cell_ = std::make_unique<Cell>();
};

template <>
class BalanceCell<true> {
 public:
  std::int64_t& get() { return value_.value(); }

 private:
  SharedValue<std::int64_t> value_{kStartBalance, Locking::kNoLock};
};

// A primitive P: kName (its contract name), kProcessShared (works between
// forked processes), kExact (it protects the balance, so every round must end
// at the expected balance), a constructor from PrimitiveOptions, and
// Apply(balance, delta, cs) that makes one update.
template <class P>
class Bank {
 public:
  // Creates the primitive and starts the workers. Throws std::logic_error
  // for processes with a primitive that is not process-shared.
  Bank(Mode mode, Params params)
      : params_(std::move(params)),
        primitive_(params_.primitive),
        crew_(
            CheckedMode(mode), params_.workers,
            [this](int worker, const std::atomic<std::uint32_t>& stop) {
              return Work(worker, stop);
            },
            params_.cpus) {}
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  // One complete deposit/withdraw round. Throws std::runtime_error when a
  // worker failed (a lock timeout) or died.
  RoundResult Round() {
    std::atomic_ref<std::int64_t>(balance_.get())
        .store(kStartBalance, std::memory_order_relaxed);
    const auto ops = crew_.Round(params_.time_box);
    RoundResult result;
    result.seconds = crew_.seconds();
    result.final_balance = std::atomic_ref<std::int64_t>(balance_.get())
                               .load(std::memory_order_relaxed);
    result.expected_balance = ExpectedBalance(ops);
    result.total_ops = std::accumulate(ops.begin(), ops.end(), std::int64_t{0});
    const auto [fewest, most] = std::minmax_element(ops.begin(), ops.end());
    result.fewest_ops = *fewest;
    result.most_ops = *most;
    return result;
  }

  P& primitive() { return primitive_; }

 private:
  static Mode CheckedMode(Mode mode) {
    if (mode == Mode::kProcesses && !P::kProcessShared)
      throw std::logic_error("this primitive works between threads only");
    return mode;
  }

  std::int64_t Work(int worker, const std::atomic<std::uint32_t>& stop) {
    // Locals: the balance is an int64_t& that may alias params_ as far as the
    // compiler knows, which would reload them after every update.
    std::int64_t& balance = balance_.get();
    const int workers = params_.workers;
    const bool timed = params_.time_box.has_value();
    const std::int64_t ops = params_.ops;
    const int cs = params_.cs;
    const std::chrono::microseconds sleep(params_.sleep_us);
    std::int64_t done = 0;
    for (;; ++done) {
      if (timed ? stop.load(std::memory_order_relaxed) != 0 : done == ops)
        break;
      primitive_.Apply(balance, Delta(worker, workers, done), cs);
      if (sleep.count() > 0) std::this_thread::sleep_for(sleep);
    }
    return done;
  }

  Params params_;
  BalanceCell<P::kProcessShared> balance_;
  // Lines of their own: a lock written on every update shares no line with
  // what the workers only read.
  alignas(64) P primitive_;
  alignas(64) Crew crew_;  // last: its workers stop before the rest goes
};

}  // namespace concbench::bank
