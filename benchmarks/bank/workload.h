// bank, the shared-state workload: a balance starts at 100; depositors add 1
// and withdrawers subtract 1, the same number of times each, so the final
// balance must equal the start. Without protection updates are lost and it
// does not (the seed's race); with any lock it always does.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

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

}  // namespace concbench::bank
