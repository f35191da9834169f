// The hidden flag with which the spawn workload starts a fresh copy of the
// binary (the spawn start method): main() returns 0 at once when it is the
// only argument, so the measured cost is exec and process start-up alone.
#pragma once

namespace concbench {
inline constexpr const char* kChildExitFlag = "--child-exit";
}  // namespace concbench
