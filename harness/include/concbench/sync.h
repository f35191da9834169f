// Building blocks for spin loops that benchmarks write themselves.
#pragma once

namespace concbench {

// A CPU hint for spin loops (x86 `pause`): kinder to the sibling hyperthread.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace concbench
