// CPU placement: how many CPUs this process may use, and pinning.
#pragma once

#include <sched.h>

#include <string>
#include <vector>

namespace concbench {

// The CPUs this process may run on (its affinity mask), ascending.
std::vector<int> AllowedCpus();

// The mask as a list of ranges, e.g. "0-1" or "0,2-3".
std::string AffinityMaskString();

// Logical CPUs this process may use: the size of its affinity mask.
int LogicalCores();

// Pins the calling thread to `cpu`. Throws std::system_error on failure.
void PinThisThread(int cpu);

// Pins the calling thread to `cpu` (-1: leaves it where it is) and restores
// its previous mask on destruction: for a thread that runs several
// benchmarks' sides in turn. Used on the constructing thread only.
class ScopedPin {
 public:
  explicit ScopedPin(int cpu);
  ~ScopedPin();
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;

 private:
  cpu_set_t saved_{};
};

}  // namespace concbench
