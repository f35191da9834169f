// Who owns a run-scoped object, written into its name so that a later run
// can tell a dead owner's leftovers from a live one's, across PID
// namespaces sharing /dev/shm and across boots. Internal to the harness.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace concbench::internal {

// The owner fields of a name: its start time (clock ticks after boot, base
// 36), its PID namespace (the inode, base 36) and the first 6 hex digits of
// the boot id.
struct OwnerMark {
  std::string start;
  std::string pid_ns;
  std::string boot;
};

// This process's mark (read again after a fork).
OwnerMark SelfMark();

// "<start>-<pid_ns>-<boot><8 random hex digits>" for this process; the
// random digits tell apart two owners with one pid and start tick in two
// namespaces. Thread-safe.
std::string OwnerTag();

// The start time of process `pid` of this namespace as SelfMark writes it,
// or empty when there is no such process.
std::optional<std::string> StartTimeOf(pid_t pid);

}  // namespace concbench::internal
