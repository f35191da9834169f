// The hidden entry points of the concbench binary: a fresh copy of it,
// started with posix_spawn of /proc/self/exe and one hidden flag, does one
// small job before any option or context work, so that what is measured is
// exec and start-up plus that job alone.
#pragma once

#include <optional>

namespace concbench {

// Exits 0 at once: the spawn start method's child (spawn/spawn_self_join).
inline constexpr const char* kChildExitFlag = "--child-exit";

// Serves fork commands on descriptors 3 and 4: ForkHelper's process.
inline constexpr const char* kForkHelperFlag = "--fork-helper";

// kCleanShmFlag (reclaim.h) is one too: `make clean-shm`.

// When argv is a hidden entry point (one of the flags above as the only
// argument), runs it and returns its exit status; otherwise
// returns nothing and main goes on. Costs a few string compares.
std::optional<int> RunChildEntry(int argc, char** argv);

}  // namespace concbench
