// The primitives without a lock: the unprotected read-modify-write (the
// seed's race) and the atomic add, in process memory and in shared memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "bank/workload.h"

namespace concbench::bank {

// No protection. The balance is read and written with relaxed atomic
// operations through std::atomic_ref, so the program stays well defined (and
// ThreadSanitizer-clean) while the read-modify-write is not atomic: an update
// made between the load and the store is lost, exactly as in the seed.
struct None {
  static constexpr std::string_view kName = "none";
  static constexpr bool kProcessShared = true;
  static constexpr bool kExact = false;

  explicit None(const PrimitiveOptions& /*options*/) {}
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    std::atomic_ref<std::int64_t> shared(balance);
    const std::int64_t read = shared.load(std::memory_order_relaxed);
    CriticalSection(cs);
    shared.store(read + delta, std::memory_order_relaxed);
  }
};

// One fetch_add per update. An atomic has no critical section: the `cs` work
// runs before the add, so cs benchmarks compare the same work protected by
// each primitive.
struct Atomic {
  static constexpr std::string_view kName = "atomic";
  static constexpr bool kProcessShared = false;
  static constexpr bool kExact = true;

  explicit Atomic(const PrimitiveOptions& /*options*/) {}
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    CriticalSection(cs);
    std::atomic_ref<std::int64_t>(balance).fetch_add(delta,
                                                     std::memory_order_relaxed);
  }
};

// The same add on a balance in a shared-memory segment, across processes. Only
// a lock-free atomic is address-free: a lock-based one would guard it with a
// lock table private to each process.
struct ShmAtomic {
  static constexpr std::string_view kName = "shm_atomic";
  static constexpr bool kProcessShared = true;
  static constexpr bool kExact = true;
  static_assert(std::atomic_ref<std::int64_t>::is_always_lock_free);

  explicit ShmAtomic(const PrimitiveOptions& /*options*/) {}
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    CriticalSection(cs);
    std::atomic_ref<std::int64_t>(balance).fetch_add(delta,
                                                     std::memory_order_relaxed);
  }
};

}  // namespace concbench::bank
