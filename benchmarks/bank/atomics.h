// The primitives without a lock: the unprotected read-modify-write (the
// seed's race) and the atomic add, in process memory and in shared memory.
#pragma once

#include <atomic>
#include <cstdint>

#include "bank/traits.h"
#include "bank/workload.h"

namespace concbench::bank {

// No protection. The word is read and written with relaxed atomic
// operations through std::atomic_ref, so the program stays well defined (and
// ThreadSanitizer-clean) while the read-modify-write is not atomic: an update
// made between the load and the store is lost, exactly as in the seed. Not
// exact, so the word is a tally (workload.h): each update adds to its own
// half, and the halves say which updates were lost.
struct None {
  static constexpr const PrimitiveTraits& kTraits = kNoneTraits;

  explicit None(const PrimitiveOptions& /*options*/) {}
  void Apply(std::int64_t& tally, std::int64_t delta, int cs) {
    std::atomic_ref<std::int64_t> shared(tally);
    const auto read =
        static_cast<std::uint64_t>(shared.load(std::memory_order_relaxed));
    CriticalSection(cs);
    shared.store(static_cast<std::int64_t>(read + TallyUnit(delta)),
                 std::memory_order_relaxed);
  }
};

// One fetch_add per update. An atomic has no critical section: the `cs` work
// runs before the add, so cs benchmarks compare the same work protected by
// each primitive. In process memory (Atomic) or, process-shared, in a
// shared segment (ShmAtomic): only a lock-free atomic is address-free, since
// a lock-based one would guard it with a lock table private to each process.
template <const PrimitiveTraits& kInfo>
struct AtomicAdd {
  static constexpr const PrimitiveTraits& kTraits = kInfo;
  static_assert(std::atomic_ref<std::int64_t>::is_always_lock_free);

  explicit AtomicAdd(const PrimitiveOptions& /*options*/) {}
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    CriticalSection(cs);
    std::atomic_ref<std::int64_t>(balance).fetch_add(delta,
                                                     std::memory_order_relaxed);
  }
};

using Atomic = AtomicAdd<kAtomicTraits>;
using ShmAtomic = AtomicAdd<kShmAtomicTraits>;

}  // namespace concbench::bank
