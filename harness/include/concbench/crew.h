// A crew: `count` workers, threads or forked processes, started once and
// reused round after round behind a start line, so a round's time holds the
// work and not the cost of starting workers. Each worker times its own part
// of a round (CLOCK_MONOTONIC is one clock for every process) and tallies its
// work, so a round reports when every worker was running at once (the
// contended phase) and how much each did inside it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace concbench {

enum class CrewMode { kThreads, kProcesses };

// "threads" | "processes": the mode as benchmark names spell it.
constexpr std::string_view CrewModeName(CrewMode mode) {
  return mode == CrewMode::kThreads ? "threads" : "processes";
}

// One worker's part of a round, in shared memory. Times are steady-clock
// nanoseconds (the same clock in every process).
struct Lap {
  std::int64_t ops = 0;        // the work the body returned
  std::int64_t start_ns = 0;   // when the body began
  std::int64_t finish_ns = 0;  // when it returned
  // The body's tally when this worker saw every worker's body running, and
  // when it saw the first body return (its own final count when it saw
  // neither before returning).
  std::int64_t ops_at_all_running = 0;
  std::int64_t ops_at_first_finish = 0;

  // Work done while every worker was running.
  std::int64_t contended_ops() const {
    return ops_at_first_finish > ops_at_all_running
               ? ops_at_first_finish - ops_at_all_running
               : 0;
  }
};

struct CrewRound {
  std::vector<Lap> laps;  // one per worker
  // From the start line to the last body's return.
  double seconds = 0;
  // The contended phase: from the last body's start to the first body's
  // return; 0 when one finished before the last started.
  double contended_seconds = 0;
};

// What a worker's body sees of its round.
class Shift {
 public:
  int worker() const { return worker_; }

  // Records that the body has done `done` units of work; call before every
  // unit (with 0 first) and once more at the end. Returns true when the
  // round's time box is over: the body should return then. One relaxed load
  // of a word that changes a few times a round.
  bool Tally(std::int64_t done) {
    const std::uint32_t phase = phase_->load(std::memory_order_relaxed);
    if (phase != seen_) [[unlikely]]
      return Observe(phase, done);
    return stopped_;
  }

 private:
  friend class Crew;
  Shift(int worker, std::uint32_t count, std::atomic<std::uint32_t>* phase,
        Lap* lap)
      : worker_(worker), count_(count), phase_(phase), lap_(lap) {}
  bool Observe(std::uint32_t phase, std::int64_t done);

  int worker_;
  std::uint32_t count_;
  std::atomic<std::uint32_t>* phase_;
  Lap* lap_;
  std::uint32_t seen_ = 0;
  bool saw_all_running_ = false;
  bool saw_first_finish_ = false;
  bool stopped_ = false;
};

class Crew {
 public:
  // Runs once per round in every worker: returns the work it did. An
  // exception fails the round with its message.
  using Body = std::function<std::int64_t(Shift& shift)>;

  // Starts `count` workers. Worker i is pinned to cpus[i % cpus.size()] when
  // `cpus` is not empty (a failed pin fails every round). Throws
  // std::runtime_error naming the worker and the reason (the errno text)
  // when a fork or a thread fails, std::invalid_argument for count < 1.
  Crew(CrewMode mode, int count, Body body, std::vector<int> cpus = {});
  // Ends every worker; a process stuck on a lock whose holder died is killed
  // after a second.
  ~Crew();
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;

  // Runs one round: releases every worker from the start line and, when
  // `time_box` is given, ends their shifts (Shift::Tally returns true) that
  // long after all left it; then waits for all. Throws std::runtime_error
  // when a worker failed or died (a death is seen within 10 ms, so a dead
  // lock holder never hangs the run). The result stays valid until the next
  // round.
  const CrewRound& Round(
      std::optional<std::chrono::microseconds> time_box = std::nullopt);

  int count() const { return count_; }

 private:
  struct State;
  void StartWorker(CrewMode mode, int worker);
  void WorkerLoop(int worker);
  std::uint32_t AwaitRound(std::uint32_t seen);
  void ThrowIfAWorkerDied();
  void Stop();

  int count_;
  Body body_;
  std::vector<int> cpus_;
  std::unique_ptr<State> state_;
  CrewRound result_;
};

}  // namespace concbench
