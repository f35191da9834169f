// The seed's multiprocessing.Queue: a bounded multi-producer multi-consumer
// FIFO in shared memory, usable by forked children and threads alike.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "concbench/robust_mutex.h"
#include "concbench/shared_memory.h"
#include "concbench/sync.h"

namespace concbench {

namespace internal {
struct QueueTestAccess;  // tests take the internal lock through it
}  // namespace internal

// A FIFO of at most `capacity` Ts in its own shared segment, created before
// forking so that the children share it. Every member function is safe from
// any thread of any process that shares it. Items are copied in and out.
//
// A peer may die anywhere, even holding the queue's internal lock (a robust
// mutex): the next caller takes the lock over and the queue stays whole (an
// item counts as added or removed by one store, so a dying peer's item is
// either in the queue or gone with it). The timed calls return by their
// timeout whatever a peer did; the untimed ones wait until they can proceed.
// Waiting callers sleep on futexes, in slices, so no wake lost with a dead
// peer delays them for long.
template <class T>
class Queue {
  static_assert(std::is_trivially_copyable_v<T>,
                "Queue holds trivially copyable types only");
  using Clock = std::chrono::steady_clock;
  using Deadline = std::optional<Clock::time_point>;

 public:
  // Throws std::invalid_argument when capacity is 0 or above 2^32 - 1.
  explicit Queue(std::size_t capacity)
      : segment_(CheckedBytes(capacity)),
        header_(new (segment_.data()) Header()),
        slots_(reinterpret_cast<T*>(static_cast<std::byte*>(segment_.data()) +
                                    SlotsOffset())) {
    header_->capacity = capacity;
  }

  // Appends `item`, waiting while the queue is full.
  void put(const T& item) { Put(item, /*wait=*/true, std::nullopt); }
  // Appends `item` unless the queue is still full after `timeout`; returns
  // whether it did (Python's put(timeout) raising Full).
  bool put(const T& item, std::chrono::milliseconds timeout) {
    return Put(item, /*wait=*/true, Clock::now() + timeout);
  }
  // Appends `item` if there is room; returns false when full.
  bool put_nowait(const T& item) {
    return Put(item, /*wait=*/false, std::nullopt);
  }

  // Removes and returns the oldest item, waiting while the queue is empty.
  T get() { return *Get(/*wait=*/true, std::nullopt); }
  // The oldest item, or empty when none arrived within `timeout` (Python's
  // get(timeout) raising Empty).
  std::optional<T> get(std::chrono::milliseconds timeout) {
    return Get(/*wait=*/true, Clock::now() + timeout);
  }
  // The oldest item, or empty at once when there is none (Python's
  // get_nowait raising Empty).
  std::optional<T> get_nowait() { return Get(/*wait=*/false, std::nullopt); }

  // Snapshots, without the lock: another process may change the queue right
  // after.
  std::size_t qsize() const { return Count(header_->state.load()); }
  bool empty() const { return qsize() == 0; }
  bool full() const { return qsize() == header_->capacity; }
  std::size_t capacity() const { return header_->capacity; }
  // How often a caller took the lock over from a peer that died holding it.
  std::uint32_t lock_recoveries() const { return header_->recoveries.load(); }
  const std::string& segment_name() const { return segment_.name(); }

 private:
  friend struct internal::QueueTestAccess;

  // A waiter re-checks at least this often, so a peer that died between
  // adding an item and waking the waiters delays them by a slice at most.
  static constexpr std::chrono::milliseconds kWaitSlice{50};

  struct Header {
    internal::RobustMutex mutex;
    std::atomic<std::uint32_t> added{0};    // futex: bumped on each put
    std::atomic<std::uint32_t> removed{0};  // futex: bumped on each get
    std::atomic<std::uint32_t> getters{0};  // asleep on `added`
    std::atomic<std::uint32_t> putters{0};  // asleep on `removed`
    std::atomic<std::uint32_t> recoveries{0};
    std::size_t capacity = 0;
    // The oldest item's index in the high half, the count in the low half:
    // one store adds or removes an item.
    std::atomic<std::uint64_t> state{0};
  };

  static std::size_t Head(std::uint64_t state) { return state >> 32; }
  static std::size_t Count(std::uint64_t state) { return state & 0xffffffffu; }
  static std::uint64_t State(std::size_t head, std::size_t count) {
    return (std::uint64_t{head} << 32) | count;
  }

  static constexpr std::size_t SlotsOffset() {
    constexpr std::size_t align = alignof(T) > 64 ? alignof(T) : 64;
    return (sizeof(Header) + align - 1) / align * align;
  }
  static std::size_t CheckedBytes(std::size_t capacity) {
    if (capacity == 0)
      throw std::invalid_argument("a Queue needs a capacity of at least 1");
    if (capacity > std::numeric_limits<std::uint32_t>::max())
      throw std::invalid_argument("a Queue holds at most 2^32 - 1 items");
    return SlotsOffset() + capacity * sizeof(T);
  }

  bool Put(const T& item, bool wait, Deadline deadline) {
    bool wake = false;
    {
      internal::RobustLock lock(header_->mutex, deadline);
      const auto has_room = [&](std::uint64_t state) {
        return Count(state) < header_->capacity;
      };
      if (!Acquire(lock, has_room, header_->removed, header_->putters, wait,
                   deadline))
        return false;
      const std::uint64_t state = header_->state.load();
      const std::size_t head = Head(state);
      const std::size_t count = Count(state);
      new (&slots_[(head + count) % header_->capacity]) T(item);
      header_->state.store(State(head, count + 1));
      header_->added.fetch_add(1);
      wake = header_->getters.load() != 0;
    }
    if (wake) FutexWake(header_->added, 1);
    return true;
  }

  std::optional<T> Get(bool wait, Deadline deadline) {
    std::optional<T> item;
    bool wake = false;
    {
      internal::RobustLock lock(header_->mutex, deadline);
      const auto has_item = [](std::uint64_t state) {
        return Count(state) != 0;
      };
      if (!Acquire(lock, has_item, header_->added, header_->getters, wait,
                   deadline))
        return std::nullopt;
      const std::uint64_t state = header_->state.load();
      const std::size_t head = Head(state);
      item = slots_[head];
      header_->state.store(
          State((head + 1) % header_->capacity, Count(state) - 1));
      header_->removed.fetch_add(1);
      wake = header_->putters.load() != 0;
    }
    if (wake) FutexWake(header_->removed, 1);
    return item;
  }

  // With `lock` just taken (or not, past the deadline): if `wait`, sleeps on
  // `changed` (counted in `sleepers`) until `ready(state)` holds under the
  // lock or `deadline` passes. Returns whether `lock` is held with `ready`
  // true; otherwise it is released.
  template <class Ready>
  bool Acquire(internal::RobustLock& lock, Ready ready,
               std::atomic<std::uint32_t>& changed,
               std::atomic<std::uint32_t>& sleepers, bool wait,
               Deadline deadline) {
    for (;;) {
      if (!lock.owns()) return false;
      if (lock.recovered()) WakeEveryone();
      if (ready(header_->state.load())) return true;
      auto slice = Clock::duration(kWaitSlice);
      if (deadline) slice = std::min(slice, *deadline - Clock::now());
      if (!wait || slice <= Clock::duration::zero()) {
        lock.unlock();
        return false;
      }
      const std::uint32_t seen = changed.load();
      sleepers.fetch_add(1);
      lock.unlock();
      FutexWait(changed, seen, slice);
      sleepers.fetch_sub(1);
      lock.relock(deadline);
    }
  }

  // The peer that died holding the lock may have changed the queue and not
  // woken anyone yet.
  void WakeEveryone() {
    header_->recoveries.fetch_add(1);
    header_->added.fetch_add(1);
    header_->removed.fetch_add(1);
    FutexWake(header_->added, -1);
    FutexWake(header_->removed, -1);
  }

  SharedSegment segment_;
  Header* header_;
  T* slots_;
};

}  // namespace concbench
