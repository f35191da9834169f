// limits, the machine's floors: the bare primitives every other workload is
// built from, measured in the same run so that each figure can be read as a
// ratio to what the machine can do at all (floors.h names them).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/cache_line.h"
#include "concbench/clock.h"
#include "concbench/sync.h"

namespace concbench::limits {

// A waiter that gives up: a peer that stopped answering fails the run.
inline constexpr std::int64_t kStallNs = 10'000'000'000;

// How a side waits for the word to leave `seen`: sleeping in the kernel
// (futex) or spinning on the cache line.
struct FutexWaiting {
  static void Wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
    FutexWait(word, seen, std::chrono::milliseconds(100));
  }
  static void Wake(std::atomic<std::uint32_t>& word) { FutexWake(word, 1); }
};
struct SpinWaiting {
  static void Wait(std::atomic<std::uint32_t>&, std::uint32_t) { CpuRelax(); }
  static void Wake(std::atomic<std::uint32_t>&) {}
};

// Waits while `word` holds `seen`; returns the new value. Throws when it
// stays for kStallNs.
template <class Waiting>
std::uint32_t AwaitChange(std::atomic<std::uint32_t>& word,
                          std::uint32_t seen) {
  std::uint32_t value = word.load(std::memory_order_acquire);
  if (value != seen) return value;
  const std::int64_t until = NowNs() + kStallNs;
  for (std::uint32_t spins = 0;; ++spins) {
    Waiting::Wait(word, seen);
    value = word.load(std::memory_order_acquire);
    if (value != seen) return value;
    if (spins % 4096 == 0 && NowNs() > until)
      throw std::runtime_error("the ping-pong peer stopped answering");
  }
}

// Sleeps `duration` as sleep_io's tasks do (CancellableSleep): futex waits
// on a word nobody changes, with a relative timeout, until a steady-clock
// deadline. Returns how long it took.
inline std::chrono::nanoseconds FutexSleep(std::chrono::nanoseconds duration) {
  std::atomic<std::uint32_t> word{0};
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + duration;
  for (auto now = start; now < until; now = std::chrono::steady_clock::now())
    FutexWait(word, 0, until - now);
  return std::chrono::steady_clock::now() - start;
}

// Two threads hand a counter back and forth in one cache line: main writes
// an odd value, the peer answers with the next even one. Each Round() is one
// round trip, checked.
template <class Waiting>
class WordPingPong {
 public:
  // The peer thread runs on `peer_cpu` (-1: anywhere).
  explicit WordPingPong(int peer_cpu)
      : peer_([this, peer_cpu] { Serve(peer_cpu); }) {}
  ~WordPingPong() {
    stop_.store(true);
    word_.fetch_add(1, std::memory_order_release);
    Waiting::Wake(word_);
    peer_.join();
  }
  WordPingPong(const WordPingPong&) = delete;
  WordPingPong& operator=(const WordPingPong&) = delete;

  void Round() {
    ThrowIfPeerFailed();
    const std::uint32_t ping = sent_ + 1;
    word_.store(ping, std::memory_order_release);
    Waiting::Wake(word_);
    std::uint32_t answer = 0;
    try {
      answer = AwaitChange<Waiting>(word_, ping);
    } catch (const std::runtime_error&) {
      ThrowIfPeerFailed();
      throw;
    }
    if (answer != ping + 1) {
      ThrowIfPeerFailed();
      throw std::runtime_error("the peer answered " + std::to_string(answer) +
                               ", not " + std::to_string(ping + 1));
    }
    sent_ = answer;
  }
  // Round trips completed.
  std::uint32_t rounds() const { return sent_ / 2; }

 private:
  void Serve(int cpu) {
    try {
      if (cpu >= 0) PinThisThread(cpu);
      for (std::uint32_t expected = 1;; expected += 2) {
        std::uint32_t seen = word_.load(std::memory_order_acquire);
        while (seen != expected && !stop_.load()) {
          Waiting::Wait(word_, seen);
          seen = word_.load(std::memory_order_acquire);
        }
        if (stop_.load()) return;
        word_.store(expected + 1, std::memory_order_release);
        Waiting::Wake(word_);
      }
    } catch (const std::exception& e) {
      // Wakes main at once with the reason, instead of a stall.
      peer_error_ = e.what();
      peer_failed_.store(true, std::memory_order_release);
      word_.store(kPeerFailed, std::memory_order_release);
      Waiting::Wake(word_);
    }
  }

  void ThrowIfPeerFailed() const {
    if (peer_failed_.load(std::memory_order_acquire))
      throw std::runtime_error("the ping-pong peer failed: " + peer_error_);
  }

  static constexpr std::uint32_t kPeerFailed = 0xffffffff;
  alignas(kCacheLine) std::atomic<std::uint32_t> word_{0};
  alignas(kCacheLine) std::atomic<bool> stop_{false};
  std::atomic<bool> peer_failed_{false};
  std::string peer_error_;  // written before peer_failed_ is set
  std::uint32_t sent_ = 0;
  std::thread peer_;
};

// Two threads echo an 8-byte sequence number through two blocking pipes.
// The peer ends when its pipe closes.
class PipePingPong {
 public:
  // The peer thread runs on `peer_cpu` (-1: anywhere).
  explicit PipePingPong(int peer_cpu) {
    if (pipe2(to_peer_, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    if (pipe2(to_main_, O_CLOEXEC) != 0) {
      const int error = errno;
      close(to_peer_[0]);
      close(to_peer_[1]);
      throw std::system_error(error, std::generic_category(), "pipe2");
    }
    peer_ = std::thread([this, peer_cpu] { Serve(peer_cpu); });
  }
  ~PipePingPong() {
    close(to_peer_[1]);  // the peer reads end-of-file
    peer_.join();
    close(to_peer_[0]);
    close(to_main_[0]);
  }
  PipePingPong(const PipePingPong&) = delete;
  PipePingPong& operator=(const PipePingPong&) = delete;

  void Round() {
    const std::uint64_t ping = ++sent_;
    WriteWord(to_peer_[1], ping);
    std::uint64_t answer = 0;
    if (!ReadWord(to_main_[0], answer) || answer != ping) {
      const std::string why = peer_failed_.load(std::memory_order_acquire)
                                  ? ": " + peer_error_
                                  : "";
      throw std::runtime_error("the pipe peer did not echo " +
                               std::to_string(ping) + why);
    }
  }
  std::uint64_t rounds() const { return sent_; }

 private:
  // One whole 8-byte read; false at end-of-file.
  static bool ReadWord(int fd, std::uint64_t& value) {
    ssize_t n;
    do {
      n = read(fd, &value, sizeof(value));
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
    if (n != 0 && n != static_cast<ssize_t>(sizeof(value)))
      throw std::runtime_error("a partial 8-byte pipe read");
    return n != 0;
  }
  static void WriteWord(int fd, std::uint64_t value) {
    ssize_t n;
    do {
      n = write(fd, &value, sizeof(value));
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof(value)))
      throw std::system_error(errno, std::generic_category(), "write");
  }

  void Serve(int cpu) {
    try {
      if (cpu >= 0) PinThisThread(cpu);
      std::uint64_t value = 0;
      while (ReadWord(to_peer_[0], value)) WriteWord(to_main_[1], value);
    } catch (const std::exception& e) {
      // Closing below gives main end-of-file; it reports this reason.
      peer_error_ = e.what();
      peer_failed_.store(true, std::memory_order_release);
    }
    close(to_main_[1]);
  }

  std::atomic<bool> peer_failed_{false};
  std::string peer_error_;  // written before peer_failed_ is set
  int to_peer_[2] = {-1, -1};
  int to_main_[2] = {-1, -1};
  std::uint64_t sent_ = 0;
  std::thread peer_;
};

}  // namespace concbench::limits
