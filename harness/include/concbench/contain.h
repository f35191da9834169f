// Containment of one benchmark's failure: an exception that escapes a
// benchmark's function (its set-up before TimedLoop, or its tear-down
// after) fails that run, with the exception's message as the run's error
// in the JSON, and the suite goes on to the next run.
#pragma once

#include <benchmark/benchmark.h>

#include <functional>

namespace concbench {

namespace internal {

// Where the benchmark running on this thread is relative to its timed
// loop: TimedLoop and FailBeforeLoop advance it, RunContained resets it.
enum class LoopStage { kBefore, kRunning, kDone };
LoopStage& CurrentLoopStage();

}  // namespace internal

// Calls `run(state)`. An exception it lets escape marks the run failed with
// its message (before the loop, through a loop entered for that purpose, as
// Google Benchmark 1.7 requires; after it, directly); never rethrows. In a
// forked child that the exception unwound into, prints it and _exits(1).
void RunContained(benchmark::State& state,
                  const std::function<void(benchmark::State&)>& run);

}  // namespace concbench
