// The steady clock concbench reads outside Google Benchmark's timer.
#pragma once

#include <chrono>
#include <cstdint>

namespace concbench {

// Nanoseconds on the steady clock (monotonic; its zero is unspecified, so
// only differences mean anything). Comparable across forked processes.
inline std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace concbench
