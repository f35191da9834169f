#include "concbench/robust_mutex.h"

#include <cerrno>
#include <ctime>
#include <system_error>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace concbench::internal {
namespace {

// ThreadSanitizer (GCC 12) intercepts pthread_mutex_lock but not
// pthread_mutex_clocklock: without these notes it would see the timed lock
// as no lock and every unlock as an unlock of an unlocked mutex.
void BeforeTimedLock([[maybe_unused]] pthread_mutex_t* mutex) {
#if defined(__SANITIZE_THREAD__)
  __tsan_mutex_pre_lock(mutex, __tsan_mutex_try_lock);
#endif
}

void AfterTimedLock([[maybe_unused]] pthread_mutex_t* mutex,
                    [[maybe_unused]] bool locked) {
#if defined(__SANITIZE_THREAD__)
  __tsan_mutex_post_lock(
      mutex,
      __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
#endif
}

void Check(int error, const char* what) {
  if (error != 0) throw std::system_error(error, std::generic_category(), what);
}

}  // namespace

RobustMutex::RobustMutex() {
  pthread_mutexattr_t attributes;
  Check(pthread_mutexattr_init(&attributes), "pthread_mutexattr_init");
  int error = pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
  if (error == 0)
    error = pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
  if (error == 0) error = pthread_mutex_init(&mutex_, &attributes);
  pthread_mutexattr_destroy(&attributes);
  Check(error, "a robust process-shared mutex");
}

RobustMutex::~RobustMutex() { pthread_mutex_destroy(&mutex_); }

RobustMutex::Result RobustMutex::lock(
    std::optional<Clock::time_point> deadline) {
  int error = 0;
  if (deadline) {
    // steady_clock is CLOCK_MONOTONIC: a wall-clock jump moves no deadline.
    const auto since_epoch = deadline->time_since_epoch();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    timespec until{};
    until.tv_sec = static_cast<time_t>(seconds.count());
    until.tv_nsec = static_cast<long>(
        std::chrono::nanoseconds(since_epoch - seconds).count());
    BeforeTimedLock(&mutex_);
    error = pthread_mutex_clocklock(&mutex_, CLOCK_MONOTONIC, &until);
    AfterTimedLock(&mutex_, error == 0 || error == EOWNERDEAD);
  } else {
    error = pthread_mutex_lock(&mutex_);
  }
  switch (error) {
    case 0:
      return Result::kLocked;
    case ETIMEDOUT:
      return Result::kTimedOut;
    case EOWNERDEAD:
      Check(pthread_mutex_consistent(&mutex_), "pthread_mutex_consistent");
      return Result::kRecovered;
    default:
      Check(error, "locking a robust mutex");
      return Result::kTimedOut;  // not reached
  }
}

void RobustMutex::unlock() { pthread_mutex_unlock(&mutex_); }

}  // namespace concbench::internal
