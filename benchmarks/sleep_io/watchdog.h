// The deadline of a sleep_io run: a thread that, when a run overruns its
// limit, cancels every task (sets the shared word and wakes every sleeper),
// so the run ends in bounded time instead of hanging the suite.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "concbench/sync.h"
#include "sleep_io/cancel.h"

namespace concbench::sleep_io {

// One watchdog serves one run at a time: Arm before the run, Disarm after.
// Not copyable; the destructor stops and joins its thread.
class Watchdog {
 public:
  Watchdog() : thread_([this] { Loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Cancels the tasks if Disarm is not called within `limit`.
  void Arm(std::chrono::nanoseconds limit) {
    {
      std::lock_guard lock(mutex_);
      deadline_ = std::chrono::steady_clock::now() + limit;
      fired_ = false;
    }
    wake_.notify_one();
  }

  // Ends the run's watch; returns whether it overran (and was cancelled).
  // Call once every task has returned: it re-opens the word for the next run.
  bool Disarm() {
    bool fired = false;
    {
      std::lock_guard lock(mutex_);
      deadline_.reset();
      fired = fired_;
      fired_ = false;
    }
    if (fired) SharedControl().cancelled.store(0, std::memory_order_release);
    return fired;
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) {
        deadline_.reset();
        fired_ = true;
        std::atomic<std::uint32_t>& word = SharedControl().cancelled;
        word.store(1, std::memory_order_release);
        FutexWake(word, -1);
      } else if (deadline_) {
        wake_.wait_until(lock, *deadline_);
      } else {
        wake_.wait(lock);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  bool fired_ = false;
  bool stopping_ = false;
  std::jthread thread_;  // last: starts once the members above exist
};

}  // namespace concbench::sleep_io
