// Futex wait and wake on a 32-bit atomic, usable across processes when the
// atomic lives in shared memory (the non-private futex operations are used).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "concbench/sync.h"

namespace concbench::internal {

// Sleeps while `word` holds `expected`, at most `timeout` (negative: no limit).
// Returns on a wake, a changed value, a signal or the timeout; callers re-check
// their condition. Safe across threads and processes.
void FutexWait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
               std::chrono::nanoseconds timeout = std::chrono::nanoseconds(-1));

// Wakes up to `count` sleepers on `word`.
void FutexWake(std::atomic<std::uint32_t>& word, int count);

using ::concbench::CpuRelax;

}  // namespace concbench::internal
