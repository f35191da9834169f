// The seed's multiprocessing.Queue: a bounded multi-producer multi-consumer
// FIFO in shared memory, usable by forked children and threads alike.
#pragma once

#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>
#include <chrono>
#include <cstddef>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "concbench/deadline.h"
#include "concbench/shared_memory.h"

namespace concbench {

// A FIFO of at most `capacity` Ts in its own shared segment, created before
// forking so that the children share it. Every member function is safe from
// any thread of any process that shares it. Items are copied in and out.
//
// Blocking calls (put, get) wait on a process-shared condition variable; the
// timed ones return after `timeout` at the latest, even when a process died
// holding the queue's internal lock (only for a few instructions, never while
// waiting) and left it locked: callers that must survive a dying peer use
// the timed calls and check their peers.
template <class T>
class Queue {
  static_assert(std::is_trivially_copyable_v<T>,
                "Queue holds trivially copyable types only");
  using Lock = boost::interprocess::scoped_lock<SharedMutex>;

 public:
  // Throws std::invalid_argument when capacity is 0.
  explicit Queue(std::size_t capacity)
      : segment_(CheckedBytes(capacity)),
        header_(new (segment_.data()) Header()),
        slots_(reinterpret_cast<T*>(static_cast<std::byte*>(segment_.data()) +
                                    SlotsOffset())) {
    header_->capacity = capacity;
  }

  // Appends `item`, waiting while the queue is full.
  void put(const T& item) {
    Lock lock(header_->mutex);
    while (header_->count == header_->capacity) header_->not_full.wait(lock);
    Push(item);
  }
  // Appends `item` unless the queue is still full after `timeout`; returns
  // whether it did (Python's put(timeout) raising Full).
  bool put(const T& item, std::chrono::milliseconds timeout) {
    const auto deadline = UtcDeadlineAfter(timeout);
    Lock lock(header_->mutex, deadline);
    if (!lock.owns()) return false;
    while (header_->count == header_->capacity) {
      if (!header_->not_full.timed_wait(lock, deadline) &&
          header_->count == header_->capacity)
        return false;
    }
    Push(item);
    return true;
  }
  // Appends `item` if there is room; returns false when full.
  bool put_nowait(const T& item) {
    return put(item, std::chrono::milliseconds(0));
  }

  // Removes and returns the oldest item, waiting while the queue is empty.
  T get() {
    Lock lock(header_->mutex);
    while (header_->count == 0) header_->not_empty.wait(lock);
    return Pop();
  }
  // The oldest item, or empty when none arrived within `timeout` (Python's
  // get(timeout) raising Empty).
  std::optional<T> get(std::chrono::milliseconds timeout) {
    const auto deadline = UtcDeadlineAfter(timeout);
    Lock lock(header_->mutex, deadline);
    if (!lock.owns()) return std::nullopt;
    while (header_->count == 0) {
      if (!header_->not_empty.timed_wait(lock, deadline) && header_->count == 0)
        return std::nullopt;
    }
    return Pop();
  }
  // The oldest item, or empty at once when there is none (Python's
  // get_nowait raising Empty).
  std::optional<T> get_nowait() {
    Lock lock(header_->mutex);
    if (header_->count == 0) return std::nullopt;
    return Pop();
  }

  // Snapshots: another process may change the queue right after.
  std::size_t qsize() const {
    Lock lock(header_->mutex);
    return header_->count;
  }
  bool empty() const { return qsize() == 0; }
  bool full() const { return qsize() == header_->capacity; }
  std::size_t capacity() const { return header_->capacity; }
  const std::string& segment_name() const { return segment_.name(); }

 private:
  struct Header {
    SharedMutex mutex;
    boost::interprocess::interprocess_condition not_empty;
    boost::interprocess::interprocess_condition not_full;
    std::size_t capacity = 0;
    std::size_t head = 0;  // index of the oldest item
    std::size_t count = 0;
  };

  static constexpr std::size_t SlotsOffset() {
    constexpr std::size_t align = alignof(T) > 64 ? alignof(T) : 64;
    return (sizeof(Header) + align - 1) / align * align;
  }
  static std::size_t CheckedBytes(std::size_t capacity) {
    if (capacity == 0)
      throw std::invalid_argument("a Queue needs a capacity of at least 1");
    return SlotsOffset() + capacity * sizeof(T);
  }
  // Called with the lock held.
  void Push(const T& item) {
    new (&slots_[(header_->head + header_->count) % header_->capacity]) T(item);
    ++header_->count;
    header_->not_empty.notify_one();
  }
  T Pop() {
    const T item = slots_[header_->head];
    header_->head = (header_->head + 1) % header_->capacity;
    --header_->count;
    header_->not_full.notify_one();
    return item;
  }

  SharedSegment segment_;
  Header* header_;
  T* slots_;
};

}  // namespace concbench
