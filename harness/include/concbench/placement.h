// Where the two sides of a two-sided benchmark run: both on one CPU, on two
// CPUs, or wherever the scheduler puts them. The ipc benchmarks' peers and
// the limits workload's round trips are placed by it alike.
#pragma once

#include <vector>

#include "concbench/affinity.h"

namespace concbench {

// same: both sides on one CPU; split: two CPUs; none: the scheduler decides.
enum class Pin { kSame, kSplit, kNone };

const char* PinName(Pin pin);  // "same" | "split" | "none"
// The placements this process can take, in registration order: same, split
// (only with at least two allowed CPUs), none.
std::vector<Pin> Placements();

// Pins the calling thread for `pin` (kSame and kSplit: the first allowed
// CPU) and restores its previous mask on destruction, so the next benchmark
// starts unpinned. kSplit with fewer than two allowed CPUs throws
// std::runtime_error saying so.
class MainPlacement {
 public:
  explicit MainPlacement(Pin pin);
  MainPlacement(const MainPlacement&) = delete;
  MainPlacement& operator=(const MainPlacement&) = delete;

  // The CPU the other side must run on, or -1 for anywhere.
  int peer_cpu() const { return peer_cpu_; }

 private:
  // This thread's CPU and the peer's (-1: anywhere), chosen from the mask
  // before it is narrowed.
  struct Cpus {
    int main;
    int peer;
  };
  static Cpus Choose(Pin pin);
  explicit MainPlacement(Cpus cpus);

  ScopedPin pin_;  // restores the mask on destruction
  int peer_cpu_;
};

}  // namespace concbench
