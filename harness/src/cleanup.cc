#include "concbench/cleanup.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "owner_tag.h"

namespace concbench {
namespace {

// Fixed tables of plain atomics, because the signal handler may read them at
// any moment and must not allocate or lock.
// Shared-memory and semaphore names are at most NAME_MAX bytes; a file is a
// path, up to PATH_MAX, and a run has only a few, so files get their own
// small table of long entries.
constexpr int kMaxNames = 1024;
constexpr int kMaxFiles = 16;
constexpr int kMaxChildren = 4096;

template <std::size_t kLength>
struct NameEntry {
  std::atomic<pid_t> owner{0};  // 0: free
  NameKind kind = NameKind::kSharedMemory;
  char name[kLength] = {};
};
std::array<NameEntry<NAME_MAX + 1>, kMaxNames> g_names;
std::array<NameEntry<PATH_MAX>, kMaxFiles> g_files;
std::array<std::atomic<pid_t>, kMaxChildren> g_children{};
std::atomic<unsigned> g_next_name{0};

void RemoveObject(const char* name, NameKind kind) {
  switch (kind) {
    case NameKind::kSharedMemory:
      shm_unlink(name);
      break;
    case NameKind::kSemaphore:
      sem_unlink(name);
      break;
    case NameKind::kFile:
      unlink(name);
      break;
  }
}

void RemoveOwned() {
  const pid_t self = getpid();
  for (auto& child : g_children) {
    const pid_t pid = child.load();
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      child.store(0);
    }
  }
  const auto remove = [self](auto& table) {
    for (auto& entry : table) {
      if (entry.owner.load() != self) continue;
      RemoveObject(entry.name, entry.kind);
      entry.owner.store(0);
    }
  };
  remove(g_names);
  remove(g_files);
}

// Interrupts, and the crashes that end a process without running exit().
constexpr int kFatalSignals[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
                                 SIGABRT, SIGSEGV, SIGBUS, SIGFPE};
struct sigaction g_previous[NSIG];

void OnFatalSignal(int signo) {
  RemoveOwned();
  // Hand the signal to whoever had it before (a sanitizer's crash report, or
  // the default action), so the process still dies of it. A fault repeats
  // when the handler returns; an interrupt is raised again.
  sigaction(signo, &g_previous[signo], nullptr);
  if (signo != SIGSEGV && signo != SIGBUS && signo != SIGFPE) raise(signo);
}

void InstallHandlersOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action = {};
    action.sa_handler = OnFatalSignal;
    sigemptyset(&action.sa_mask);
    for (int signo : kFatalSignals) {
      sigaction(signo, nullptr, &g_previous[signo]);
      // A signal ignored at start (nohup, a background job) stays ignored.
      if (g_previous[signo].sa_handler == SIG_IGN) continue;
      sigaction(signo, &action, nullptr);
    }
    std::atexit(RemoveOwned);
  });
}

std::string RunId() {
  const char* run = std::getenv("CONCBENCH_RUN_ID");
  if (run == nullptr || *run == '\0') return "run";
  std::string id;
  for (const char* c = run; *c != '\0' && id.size() < 24; ++c) {
    const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '_';
    id.push_back(ok ? *c : '_');
  }
  return id;
}

}  // namespace

std::string UniqueObjectName() {
  static const std::string run = RunId();
  return fmt::format("concbench-{}-{}-{}-{}", run, getpid(), g_next_name++,
                     internal::OwnerTag());
}

OwnedName::OwnedName(NameKind kind)
    : name_(UniqueObjectName()),
      kind_(kind),
      slot_(internal::RecordName(name_, kind)),
      owner_(getpid()) {}

OwnedName::OwnedName(NameKind kind, std::string name)
    : name_(std::move(name)),
      kind_(kind),
      slot_(internal::RecordName(name_, kind)),
      owner_(getpid()) {}

OwnedName::~OwnedName() {
  if (slot_ >= 0 && getpid() == owner_) RemoveObject(name_.c_str(), kind_);
  internal::ForgetName(slot_);
}

void OwnedName::release() {
  internal::ForgetName(slot_);
  slot_ = -1;
}

namespace internal {

namespace {

// Claims a free entry of `table` for `name`; returns its index or -1 when the
// table is full.
template <typename Table>
int Claim(Table& table, const std::string& name, NameKind kind) {
  for (int slot = 0; slot < static_cast<int>(table.size()); ++slot) {
    pid_t expected = 0;
    auto& entry = table[slot];
    // Claim with a placeholder owner so the handler skips a half-written name.
    if (entry.owner.compare_exchange_strong(expected, -1)) {
      entry.kind = kind;
      std::memcpy(entry.name, name.c_str(), name.size() + 1);
      entry.owner.store(getpid());
      return slot;
    }
  }
  return -1;
}

}  // namespace

int RecordName(const std::string& name, NameKind kind) {
  const bool file = kind == NameKind::kFile;
  const std::size_t limit = file ? PATH_MAX - 1 : NAME_MAX;
  if (name.size() > limit) {
    throw std::runtime_error(
        fmt::format("{} too long ({} bytes, at most {}): {}",
                    file ? "path" : "object name", name.size(), limit, name));
  }
  InstallHandlersOnce();
  if (file) {
    const int slot = Claim(g_files, name, kind);
    if (slot < 0) throw std::runtime_error("too many live output files (16)");
    return kMaxNames + slot;
  }
  const int slot = Claim(g_names, name, kind);
  if (slot < 0) {
    throw std::runtime_error("too many live shared-memory objects (1024)");
  }
  return slot;
}

void ForgetName(int slot) {
  if (slot >= 0 && slot < kMaxNames) g_names[slot].owner.store(0);
  if (slot >= kMaxNames && slot < kMaxNames + kMaxFiles) {
    g_files[slot - kMaxNames].owner.store(0);
  }
}

void RecordChild(pid_t pid) {
  InstallHandlersOnce();
  for (auto& child : g_children) {
    pid_t expected = 0;
    if (child.compare_exchange_strong(expected, pid)) return;
  }
  // A full table only means an interrupt would not reap this one child; the
  // owner's destructor still does.
}

void ForgetChild(pid_t pid) {
  for (auto& child : g_children) {
    pid_t expected = pid;
    if (child.compare_exchange_strong(expected, 0)) return;
  }
}

void ForEachLiveChild(const std::function<void(pid_t)>& visit) {
  for (const auto& child : g_children) {
    const pid_t pid = child.load(std::memory_order_relaxed);
    if (pid > 0) visit(pid);
  }
}

void ResetAfterFork() {
  // The parent's children are not ours; names are filtered by owner pid.
  for (auto& child : g_children) child.store(0);
}

}  // namespace internal

}  // namespace concbench
