#include "concbench/contain.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

#include "concbench/verify.h"

namespace concbench {

namespace internal {

LoopStage& CurrentLoopStage() {
  thread_local LoopStage stage = LoopStage::kBefore;
  return stage;
}

}  // namespace internal

void RunContained(benchmark::State& state,
                  const std::function<void(benchmark::State&)>& run) {
  internal::CurrentLoopStage() = internal::LoopStage::kBefore;
  const pid_t self = getpid();
  std::string error;
  try {
    run(state);
    return;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "an exception that is not a std::exception";
  }
  if (error.empty()) error = "an exception without a message";
  if (getpid() != self) {
    // A forked child's exception unwound into the runner: the child must
    // never go on to run the parent's suite.
    std::fprintf(stderr, "concbench: a forked child: %s\n", error.c_str());
    std::fflush(nullptr);
    _exit(1);
  }
  switch (internal::CurrentLoopStage()) {
    case internal::LoopStage::kBefore:
      internal::FailBeforeLoop(state, "set-up failed: " + error);
      break;
    case internal::LoopStage::kRunning:
      state.SkipWithError(("failed in the timed loop: " + error).c_str());
      break;
    case internal::LoopStage::kDone:
      // The iterations are counted: the error may be raised directly.
      state.SkipWithError(("tear-down failed: " + error).c_str());
      break;
  }
}

}  // namespace concbench
