// Waiting and waking on a 32-bit atomic without a lock: the futex, usable
// across processes when the atomic lives in shared memory (the non-private
// futex operations are used), and the spin-loop hint.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace concbench {

// Sleeps while `word` holds `expected`, at most `timeout` (negative: no limit).
// Returns on a wake, a changed value, a signal or the timeout; callers re-check
// their condition. Safe across threads and processes.
void FutexWait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
               std::chrono::nanoseconds timeout = std::chrono::nanoseconds(-1));

// Wakes up to `count` sleepers on `word` (negative: all of them).
void FutexWake(std::atomic<std::uint32_t>& word, int count);

// A CPU hint for spin loops (x86 `pause`): kinder to the sibling hyperthread.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace concbench
