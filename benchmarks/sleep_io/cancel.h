// Cancellable sleeping for sleep_io: every task sleeps on one futex word in
// shared memory, so a watchdog can stop every sleeper at once, in threads and
// in forked children alike, by setting the word and waking them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <new>

#include "concbench/shared_memory.h"
#include "concbench/sync.h"

namespace concbench::sleep_io {

// What the tasks share with the benchmark across threads and processes.
struct Control {
  std::atomic<std::uint32_t> cancelled{0};  // non-zero: return at once
  std::atomic<std::uint64_t> done{0};       // tasks that completed
};

// The one Control of this process, in its own shared segment. The first call
// creates it: make that call before any worker is forked (the benchmark and
// the tests call it before building an executor), so that every child maps
// the same memory at the same address.
inline Control& SharedControl() {
  static SharedSegment segment(sizeof(Control));
  static Control* control = new (segment.data()) Control();
  return *control;
}

// Sleeps `duration` unless cancelled. Returns false when cancelled (before or
// during the sleep). A futex wait rather than a plain sleep: that is what
// makes it wakeable by the watchdog.
inline bool CancellableSleep(std::chrono::nanoseconds duration) {
  std::atomic<std::uint32_t>& word = SharedControl().cancelled;
  const auto until = std::chrono::steady_clock::now() + duration;
  while (word.load(std::memory_order_acquire) == 0) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) return true;
    FutexWait(word, 0, left);
  }
  return false;
}

}  // namespace concbench::sleep_io
