// Reclaiming what killed runs left behind: SIGKILL cannot be caught, so a
// killed run's shared-memory segments, named semaphores and manager sockets
// stay. Their names say who owned them (see UniqueObjectName), so a later
// run removes exactly those whose owner is gone.
#pragma once

#include <string>
#include <vector>

namespace concbench {

// Removes every concbench segment and named semaphore in /dev/shm and
// manager socket in the temporary directory whose owner was a process of
// this PID namespace that is gone (no process with its pid and start time),
// or of an earlier boot. Never one of a live owner, of another PID
// namespace of this boot, or named otherwise. Returns the paths removed.
std::vector<std::string> ReclaimStaleObjects();

// Called as a run starts: ReclaimStaleObjects, with one line on stderr
// when it removed anything. Does nothing when $CONCBENCH_KEEP_STALE is set
// (the tests' leak check must see what a test leaked).
void ReclaimAtStart();

// A result file's partial twin ends in this (see ResultFile): "<out>.<the
// owner's UniqueObjectName>.partial", the output's name shortened to fit.
inline constexpr const char* kPartialSuffix = ".partial";

// Removes the partial files beside `output` (the results path of a run)
// that a run of the same output left when it was killed before renaming
// its partial into place: those whose owner is gone, never a live run's.
// Returns the paths removed.
std::vector<std::string> ReclaimStalePartials(const std::string& output);

// Called as a result file is opened: ReclaimStalePartials, with one line on
// stderr when it removed anything; nothing when $CONCBENCH_KEEP_STALE is set.
void ReclaimPartialsAtStart(const std::string& output);

// The binary's hidden entry point that does it on demand (`make clean-shm`):
// prints each path removed and a count.
inline constexpr const char* kCleanShmFlag = "--clean-shm";
int CleanShmMain();

}  // namespace concbench
