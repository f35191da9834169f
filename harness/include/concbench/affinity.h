// CPU placement: how many CPUs this process may use, and pinning.
#pragma once

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

}  // namespace concbench
