// Shared memory that forked children see and write: a named segment, and the
// seed's Value('i') and Array('d', n) built on it.
//
// Each object lives in its own Boost.Interprocess segment (/dev/shm/<name>)
// with a name unique to the run (see UniqueObjectName). The creating process
// owns it: its destructor, SIGINT, SIGTERM and exit() remove the name. Forked
// children inherit the mapping; they never remove it.
#pragma once

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <cstddef>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "concbench/cleanup.h"

namespace concbench {

// A zero-filled named shared-memory segment of `bytes` bytes, mapped
// read-write. Its memory is allocated up front (posix_fallocate), all of it
// or its first `reserved` bytes, so that a full /dev/shm is a
// std::runtime_error here, naming the size asked and the space free, never
// a SIGBUS at a later touch; touch beyond `reserved` only after Reserve.
// Not copyable: one owner. Member functions are safe from any thread, but
// Reserve, from one at a time; the memory itself is shared raw, so callers
// synchronise access to it.
class SharedSegment {
 public:
  explicit SharedSegment(std::size_t bytes,
                         std::optional<std::size_t> reserved = std::nullopt);
  SharedSegment(const SharedSegment&) = delete;
  SharedSegment& operator=(const SharedSegment&) = delete;

  void* data() const { return region_.get_address(); }
  std::size_t size() const { return region_.get_size(); }
  const std::string& name() const { return name_.str(); }

  // Allocates the memory up to byte `end` too (in steps of at least 1 MiB,
  // at most up to size()); free when it already is. Throws as the
  // constructor does.
  void Reserve(std::size_t end);

 private:
  OwnedName name_;  // declared first: removed after the unmap
  boost::interprocess::mapped_region region_;
  std::size_t reserved_;  // bytes allocated from the start
};

// Whether a SharedValue or SharedArray carries a process-shared mutex.
enum class Locking { kWithLock, kNoLock };

using SharedMutex = boost::interprocess::interprocess_mutex;

namespace internal {

// The layout of a SharedValue/SharedArray segment: a mutex, then the data.
template <class T>
struct LockedBlock {
  SharedMutex mutex;
  alignas(T) std::byte data[sizeof(T)];
};

}  // namespace internal

// One T in shared memory, like multiprocessing.Value. `value()` is the raw
// shared object: it is safe across processes only under `lock()` or through
// std::atomic_ref. The optional lock is a Boost.Interprocess process-shared
// mutex; a holder that dies leaves it locked (callers who must survive that
// use timed locking).
template <class T>
class SharedValue {
  static_assert(std::is_trivially_copyable_v<T>,
                "SharedValue holds trivially copyable types only");

 public:
  explicit SharedValue(T initial = T{}, Locking locking = Locking::kWithLock)
      : segment_(sizeof(internal::LockedBlock<T>)),
        has_lock_(locking == Locking::kWithLock) {
    auto* block = new (segment_.data()) internal::LockedBlock<T>();
    value_ = new (block->data) T(initial);
    mutex_ = &block->mutex;
  }

  T& value() { return *value_; }
  const T& value() const { return *value_; }
  bool has_lock() const { return has_lock_; }

  // Locks the shared mutex; throws std::logic_error if created kNoLock.
  std::unique_lock<SharedMutex> lock() {
    if (!has_lock_)
      throw std::logic_error("SharedValue was created without a lock");
    return std::unique_lock<SharedMutex>(*mutex_);
  }
  SharedMutex& mutex() { return *mutex_; }
  const std::string& segment_name() const { return segment_.name(); }

 private:
  SharedSegment segment_;
  bool has_lock_;
  T* value_;
  SharedMutex* mutex_;
};

// `count` Ts in shared memory, value-initialised, like multiprocessing.Array.
// The same sharing rules as SharedValue apply to the elements.
template <class T>
class SharedArray {
  static_assert(std::is_trivially_copyable_v<T>,
                "SharedArray holds trivially copyable types only");

 public:
  explicit SharedArray(std::size_t count, Locking locking = Locking::kWithLock)
      : segment_(DataOffset() + count * sizeof(T)),
        has_lock_(locking == Locking::kWithLock),
        count_(count) {
    mutex_ = new (segment_.data()) SharedMutex();
    data_ = reinterpret_cast<T*>(static_cast<std::byte*>(segment_.data()) +
                                 DataOffset());
    for (std::size_t i = 0; i < count; ++i) new (data_ + i) T();
  }

  std::size_t size() const { return count_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  std::span<T> span() { return {data_, count_}; }
  std::span<const T> span() const { return {data_, count_}; }
  bool has_lock() const { return has_lock_; }

  // Locks the shared mutex; throws std::logic_error if created kNoLock.
  std::unique_lock<SharedMutex> lock() {
    if (!has_lock_)
      throw std::logic_error("SharedArray was created without a lock");
    return std::unique_lock<SharedMutex>(*mutex_);
  }
  const std::string& segment_name() const { return segment_.name(); }

 private:
  static constexpr std::size_t DataOffset() {
    constexpr std::size_t align = alignof(T) > 64 ? alignof(T) : 64;
    return (sizeof(SharedMutex) + align - 1) / align * align;
  }

  SharedSegment segment_;
  bool has_lock_;
  std::size_t count_;
  SharedMutex* mutex_;
  T* data_;
};

}  // namespace concbench
