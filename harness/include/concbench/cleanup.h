// Process-wide record of what this process must not leave behind: named
// shared-memory segments and named semaphores it created, and children it
// forked. On SIGINT, SIGTERM, SIGHUP, SIGQUIT, a crash (SIGABRT, SIGSEGV,
// SIGBUS, SIGFPE) or exit() the recorded children are killed and reaped and
// the names removed, so an interrupted or crashed run leaves nothing in
// /dev/shm and no orphan. SIGKILL cannot be caught: children still die with
// their parent (PR_SET_PDEATHSIG), but its names stay.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace concbench {

// What a recorded name is, so the handler knows how to remove it.
enum class NameKind { kSharedMemory, kSemaphore, kFile };

// A unique name for a run-scoped object:
// "concbench-<run>-<pid>-<n>-<start>-<pidns>-<boot><random>". <run> is
// $CONCBENCH_RUN_ID (letters, digits, '_' only; default "run"); tests set it so
// that a leak check can find exactly their objects. The rest names the owner
// (its pid, start time and PID namespace, the boot, 32 random bits), unique
// across PID namespaces that share /dev/shm, so that a later run can reclaim
// what a dead owner left (reclaim.h). Thread-safe.
std::string UniqueObjectName();

// Owns a run-scoped name (UniqueObjectName) from before the object is created
// until after it is gone: the destructor removes the object (shm_unlink,
// sem_unlink or unlink) if this process created the name, and forgets it.
// release() keeps the object (a finished output file). Not copyable.
class OwnedName {
 public:
  explicit OwnedName(NameKind kind);
  // Owns an existing path (kFile), e.g. a partial output file.
  OwnedName(NameKind kind, std::string name);
  ~OwnedName();
  OwnedName(const OwnedName&) = delete;
  OwnedName& operator=(const OwnedName&) = delete;

  const std::string& str() const { return name_; }
  const char* c_str() const { return name_.c_str(); }
  void release();

 private:
  std::string name_;
  NameKind kind_;
  int slot_;
  pid_t owner_;
};

namespace internal {

// Records `name` (as given to shm_open/sem_open, or a file path) for
// removal on signal or exit, owned by the calling process; forked children
// never remove their parent's names. Returns a slot for Forget. Thread-safe;
// throws std::runtime_error when the table is full (1024 names, 16 files)
// or the name is too long (NAME_MAX bytes; a kFile path, PATH_MAX - 1).
int RecordName(const std::string& name, NameKind kind);
void ForgetName(int slot);

// Records a child to kill and reap if this process is interrupted.
void RecordChild(pid_t pid);
void ForgetChild(pid_t pid);

// Calls `visit(pid)` for every recorded child not yet forgotten (reaped).
void ForEachLiveChild(const std::function<void(pid_t)>& visit);

// Called first thing in a freshly forked child: the child owns nothing yet.
void ResetAfterFork();

}  // namespace internal
}  // namespace concbench
