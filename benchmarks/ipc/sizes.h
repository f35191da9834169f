// ipc's message sizes and batches, shared by the ipc workload and by
// concbench_mpi's ipc rows, so that MPI runs at the other channels' sizes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "concbench/settings.h"
#include "concbench/suite.h"

namespace concbench::ipc {

// Messages per timed iteration of a throughput benchmark: about 1 MiB, so
// the acknowledgement is a small part.
inline std::int64_t BatchFor(std::size_t size) {
  return std::clamp<std::int64_t>(
      static_cast<std::int64_t>((std::size_t{1} << 20) / size), 1, 256);
}

// 8 B to 1 MiB in powers of four (8 * 4^k up to 512 KiB, then 1 MiB).
// Every size is a benchmark per channel-and-peer pair (11) and placement
// (3), each run the mode's repetitions (concbench --help); to keep the
// full run within its budget, full mode keeps latency at 8 B and 32 KiB and
// throughput at 1 MiB (bytes per second). --set ipc.all_sizes=1 runs every
// size for both. Quick and smoke keep 8 B and 32 KiB for both. The limits
// workload measures memcpy at every throughput size (floors::MemcpySizes).
struct Sizes {
  std::vector<std::size_t> pingpong;
  std::vector<std::size_t> throughput;
};

inline Sizes ChooseSizes(const SuiteConfig& config) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  std::vector<std::size_t> all;
  for (std::size_t size = 8; size < kMiB; size *= 4) all.push_back(size);
  all.push_back(kMiB);
  if (config.Setting("ipc.all_sizes") == 1) return {all, all};
  if (config.mode == SuiteMode::kFull) return {{8, 32768}, {kMiB}};
  return {{8, 32768}, {8, 32768}};
}

inline constexpr SettingInfo kSettings[] = {
    {"ipc.all_sizes", 0, 0, 0, 0, 1,
     "1: every message size from 8 B to 1 MiB in powers of four"},
};

}  // namespace concbench::ipc
