// Locks that work between processes: Boost.Interprocess's mutex and
// semaphores. Each lives in memory that forked workers share (a segment, or
// the kernel's named semaphore), so the same object serves threads and
// processes.
//
// A process that dies holding one of these locks leaves it held: these are
// not robust mutexes. Every acquisition is therefore timed: a try first (the
// uncontended path costs what lock() costs), then a wait with a deadline of
// PrimitiveOptions::lock_timeout, after which LockTimeout is thrown and the
// round fails instead of hanging.
#pragma once

#include <fmt/format.h>

#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <boost/interprocess/creation_tags.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/interprocess_semaphore.hpp>
#include <boost/interprocess/sync/named_semaphore.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string_view>

#include "bank/thread_locks.h"
#include "bank/traits.h"
#include "bank/workload.h"
#include "concbench/cleanup.h"
#include "concbench/deadline.h"
#include "concbench/shared_memory.h"

namespace concbench::bank {

// An interprocess lock was not acquired in time: its holder most likely died.
class LockTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void ThrowTimeout(std::string_view what,
                                      std::chrono::milliseconds wait) {
  throw LockTimeout(fmt::format(
      "{}: lock not acquired within {} ms (a holder that died leaves it held)",
      what, wait.count()));
}

// Adapts a semaphore of count 1 to lock()/unlock() with timed waits.
template <class Semaphore>
class BinarySemaphoreLock {
 public:
  BinarySemaphoreLock(Semaphore& semaphore, std::string_view what,
                      std::chrono::milliseconds timeout)
      : semaphore_(semaphore), what_(what), timeout_(timeout) {}
  void lock() {
    if (semaphore_.try_wait()) return;
    if (!semaphore_.timed_wait(UtcDeadlineAfter(timeout_)))
      ThrowTimeout(what_, timeout_);
  }
  void unlock() { semaphore_.post(); }

 private:
  Semaphore& semaphore_;
  std::string_view what_;
  std::chrono::milliseconds timeout_;
};

// boost::interprocess::interprocess_mutex in a shared segment.
class IpcMutex {
 public:
  static constexpr const PrimitiveTraits& kTraits = kIpcMutexTraits;

  explicit IpcMutex(const PrimitiveOptions& options)
      : segment_(sizeof(SharedMutex)),
        mutex_(new (segment_.data()) SharedMutex()),
        timeout_(options.lock_timeout) {}
  // A holder that died leaves the mutex locked, and destroying a locked
  // mutex is an error (EBUSY, which Boost asserts on): such a one is only
  // unmapped with its segment.
  ~IpcMutex() {
    if (!mutex_->try_lock()) return;
    mutex_->unlock();
    mutex_->~SharedMutex();
  }
  IpcMutex(const IpcMutex&) = delete;
  IpcMutex& operator=(const IpcMutex&) = delete;

  void lock() {
    if (mutex_->try_lock()) return;
    if (!mutex_->timed_lock(UtcDeadlineAfter(timeout_)))
      ThrowTimeout(kTraits.name, timeout_);
  }
  void unlock() { mutex_->unlock(); }
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    UpdateUnder(*this, balance, delta, cs);
  }

 private:
  SharedSegment segment_;
  SharedMutex* mutex_;
  std::chrono::milliseconds timeout_;
};

// boost::interprocess::interprocess_semaphore (an unnamed process-shared
// POSIX semaphore) of count 1 in a shared segment, used as a lock.
class IpcSemaphore {
 public:
  static constexpr const PrimitiveTraits& kTraits = kIpcSemTraits;
  using Semaphore = boost::interprocess::interprocess_semaphore;

  explicit IpcSemaphore(const PrimitiveOptions& options)
      : segment_(sizeof(Semaphore)),
        semaphore_(new (segment_.data()) Semaphore(1)),
        lock_(*semaphore_, kTraits.name, options.lock_timeout) {}
  ~IpcSemaphore() { semaphore_->~Semaphore(); }
  IpcSemaphore(const IpcSemaphore&) = delete;
  IpcSemaphore& operator=(const IpcSemaphore&) = delete;

  void lock() { lock_.lock(); }
  void unlock() { lock_.unlock(); }
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    UpdateUnder(lock_, balance, delta, cs);
  }

 private:
  SharedSegment segment_;
  Semaphore* semaphore_;
  BinarySemaphoreLock<Semaphore> lock_;
};

// boost::interprocess::named_semaphore (sem_open, /dev/shm/sem.<name>) of
// count 1. The name is run-scoped and owned, so exit and signals remove it;
// forked workers use the handle they inherit.
class PosixNamedSemaphore {
 public:
  static constexpr const PrimitiveTraits& kTraits = kNamedSemTraits;
  using Semaphore = boost::interprocess::named_semaphore;

  explicit PosixNamedSemaphore(const PrimitiveOptions& options)
      : name_(NameKind::kSemaphore),
        semaphore_(boost::interprocess::create_only, name_.c_str(), 1),
        lock_(semaphore_, kTraits.name, options.lock_timeout) {}
  PosixNamedSemaphore(const PosixNamedSemaphore&) = delete;
  PosixNamedSemaphore& operator=(const PosixNamedSemaphore&) = delete;

  void lock() { lock_.lock(); }
  void unlock() { lock_.unlock(); }
  void Apply(std::int64_t& balance, std::int64_t delta, int cs) {
    UpdateUnder(lock_, balance, delta, cs);
  }
  const std::string& name() const { return name_.str(); }

 private:
  OwnedName name_;  // first: unlinked after sem_close
  Semaphore semaphore_;
  BinarySemaphoreLock<Semaphore> lock_;
};

}  // namespace concbench::bank
