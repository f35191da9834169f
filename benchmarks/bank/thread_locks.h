// Locks that work between the threads of one process only.
#pragma once

#include <tbb/queuing_mutex.h>
#include <tbb/spin_mutex.h>

#include <atomic>
#include <cstdint>
#include <mutex>

#include "bank/traits.h"
#include "bank/workload.h"
#include "concbench/cache_line.h"
#include "concbench/sync.h"

namespace concbench::bank {

// Test-and-test-and-set: waiters spin on a plain load (the line stays shared
// in their caches) and try the exchange only when the lock looks free. Never
// process-shared: a holder that died would leave every waiter spinning.
class alignas(kCacheLine) SpinlockMutex {
 public:
  void lock() {
    for (;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) CpuRelax();
    }
  }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

// The update under `lock`: the critical section's work, then the change.
template <class Lockable>
void UpdateUnder(Lockable& lock, std::int64_t& balance, std::int64_t delta,
                 int cs) {
  std::lock_guard guard(lock);
  CriticalSection(cs);
  balance += delta;
}

// A primitive that is a default-constructed Lockable and nothing else.
template <class Mutex, const PrimitiveTraits& kInfo>
struct Locked {
  static constexpr const PrimitiveTraits& kTraits = kInfo;

  explicit Locked(const PrimitiveOptions& /*options*/) {}
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    UpdateUnder(mutex, balance, delta, cs);
  }
  Mutex mutex;
};

using StdMutex = Locked<std::mutex, kStdMutexTraits>;
using Spinlock = Locked<SpinlockMutex, kSpinlockTraits>;
using TbbSpinMutex = Locked<tbb::spin_mutex, kTbbSpinTraits>;

// A fair (FIFO) lock: each waiter spins on its own queue node. It has no
// lock()/unlock() (the node lives in the scoped_lock), so no UpdateUnder.
struct TbbQueuingMutex {
  static constexpr const PrimitiveTraits& kTraits = kTbbQueuingTraits;

  explicit TbbQueuingMutex(const PrimitiveOptions& /*options*/) {}
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    tbb::queuing_mutex::scoped_lock lock(mutex);
    CriticalSection(cs);
    balance += delta;
  }
  tbb::queuing_mutex mutex;
};

}  // namespace concbench::bank
