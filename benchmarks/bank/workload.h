// bank, the shared-state workload: a balance starts at 100; depositors add 1
// and withdrawers subtract 1, the same number of times each, so the final
// balance must equal the start. Without protection updates are lost and it
// does not (the seed's race); with any lock it always does. The unprotected
// primitive keeps a tally word in place of the balance, so that its lost
// updates are counted exactly.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>

namespace concbench::bank {

inline constexpr std::int64_t kStartBalance = 100;

// What every primitive is built with.
struct PrimitiveOptions {
  // How long an interprocess lock may be waited for before the round fails
  // (see ipc_locks.h): bounds a wait on a lock whose holder died.
  std::chrono::milliseconds lock_timeout{5000};
};

// The critical section's length: `units` steps of work the optimiser cannot
// remove, done while the update is protected.
inline void CriticalSection(int units) {
  for (int i = 0; i < units; ++i) {
    int step = i;
    asm volatile("" : "+r"(step));
  }
}

// Worker `worker` of `workers` deposits when even and withdraws when odd, so
// an even crew is half depositors, half withdrawers. A lone worker alternates
// deposit and withdrawal: the uncontended cost with the same expected result.
constexpr std::int64_t Delta(int worker, int workers, std::int64_t op) {
  if (workers == 1) return op % 2 == 0 ? 1 : -1;
  return worker % 2 == 0 ? 1 : -1;
}

// The net change made by worker `worker` after `ops` operations.
constexpr std::int64_t NetChange(int worker, int workers, std::int64_t ops) {
  if (workers == 1) return ops % 2;
  return worker % 2 == 0 ? ops : -ops;
}

// The balance expected after each worker completed ops_done[worker] updates.
constexpr std::int64_t ExpectedBalance(std::span<const std::int64_t> ops_done) {
  std::int64_t balance = kStartBalance;
  const int workers = static_cast<int>(ops_done.size());
  for (int worker = 0; worker < workers; ++worker)
    balance += NetChange(worker, workers, ops_done[worker]);
  return balance;
}

// Deposits and withdrawals made by worker `worker` of `workers` in `ops`
// operations (Delta's roles).
struct Updates {
  std::int64_t deposits = 0;
  std::int64_t withdrawals = 0;
};
constexpr Updates UpdatesMade(int worker, int workers, std::int64_t ops) {
  if (workers == 1) return {(ops + 1) / 2, ops / 2};
  if (worker % 2 == 0) return {ops, 0};
  return {0, ops};
}

// The tally word of a primitive that is not exact: one 64-bit word, updated
// by the same racy read-modify-write as a balance, that counts deposits in
// its high half and withdrawals in its low half. An update lost to the race
// is missing from its own half, so a lost deposit cannot cancel a lost
// withdrawal as it does in a balance. It starts at 0; each half counts up
// to 2^32 - 1 (Bank checks that a round fits).
inline constexpr std::uint64_t kMaxTally = (std::uint64_t{1} << 32) - 1;

// What one update adds to the tally word.
constexpr std::uint64_t TallyUnit(std::int64_t delta) {
  return delta > 0 ? std::uint64_t{1} << 32 : std::uint64_t{1};
}

// The updates a tally word holds.
constexpr Updates TallyIn(std::int64_t word) {
  const auto bits = static_cast<std::uint64_t>(word);
  return {static_cast<std::int64_t>(bits >> 32),
          static_cast<std::int64_t>(bits & kMaxTally)};
}

}  // namespace concbench::bank
