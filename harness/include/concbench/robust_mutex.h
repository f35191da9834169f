// A process-shared lock that survives its holder's death: a POSIX robust
// mutex. When a process (or thread) dies holding it, the kernel hands it to
// the next locker, which learns so (`recovered`) and decides whether the data
// it guards is consistent. Internal to the harness (the Queue's lock); the
// bank's ipc_mutex stays Boost's, since that is what it measures.
#pragma once

#include <pthread.h>

#include <chrono>
#include <optional>

namespace concbench::internal {

// Lives in shared memory, placed by the process that creates the segment
// before any other process maps it. Not copyable or movable.
class RobustMutex {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::system_error when the attributes are refused.
  RobustMutex();
  ~RobustMutex();
  RobustMutex(const RobustMutex&) = delete;
  RobustMutex& operator=(const RobustMutex&) = delete;

  enum class Result { kLocked, kRecovered, kTimedOut };
  // Locks, waiting until `deadline` at most (none: no limit). kRecovered:
  // locked, from a holder that died; the mutex is usable again (marked
  // consistent), the data it guards is the caller's to check. Throws
  // std::system_error on any other failure.
  Result lock(std::optional<Clock::time_point> deadline = std::nullopt);
  void unlock();

 private:
  pthread_mutex_t mutex_;
};

// Holds a RobustMutex for a scope, like std::unique_lock. Use from one thread.
class RobustLock {
 public:
  using Clock = RobustMutex::Clock;

  // Locks `mutex`, waiting until `deadline` at most (none: no limit).
  explicit RobustLock(RobustMutex& mutex,
                      std::optional<Clock::time_point> deadline = std::nullopt)
      : mutex_(mutex) {
    relock(deadline);
  }
  ~RobustLock() { unlock(); }
  RobustLock(const RobustLock&) = delete;
  RobustLock& operator=(const RobustLock&) = delete;

  bool owns() const { return owns_; }
  // Whether the last relock took the mutex over from a holder that died.
  bool recovered() const { return recovered_; }

  // Locks again after unlock(), with the same contract as the constructor.
  void relock(std::optional<Clock::time_point> deadline = std::nullopt) {
    const RobustMutex::Result result = mutex_.lock(deadline);
    owns_ = result != RobustMutex::Result::kTimedOut;
    recovered_ = result == RobustMutex::Result::kRecovered;
  }
  void unlock() {
    if (owns_) mutex_.unlock();
    owns_ = false;
  }

 private:
  RobustMutex& mutex_;
  bool owns_ = false;
  bool recovered_ = false;
};

}  // namespace concbench::internal
