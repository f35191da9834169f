#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <exception>
#include <span>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "concbench/sync.h"
#include "map_by_name.h"
#include "pool_layout.h"

namespace concbench::internal {
namespace {

// Claims the next task, or returns false when none is published.
bool TryClaim(PoolHeader* header, TaskSlot& claimed) {
  std::uint64_t pos = header->head.load(std::memory_order_relaxed);
  for (;;) {
    TaskSlot& slot = header->tasks[pos & (kTaskCapacity - 1)];
    const std::uint64_t sequence =
        slot.sequence.load(std::memory_order_acquire);
    const auto diff = static_cast<std::int64_t>(sequence - (pos + 1));
    if (diff == 0) {
      if (header->head.compare_exchange_weak(pos, pos + 1,
                                             std::memory_order_relaxed)) {
        claimed.kernel = slot.kernel;
        claimed.fn = slot.fn;
        claimed.inputs = slot.inputs;
        claimed.results = slot.results;
        claimed.begin = slot.begin;
        claimed.end = slot.end;
        claimed.batch = slot.batch;
        // Hand the slot back to the parent for position pos + capacity.
        slot.sequence.store(pos + kTaskCapacity, std::memory_order_release);
        return true;
      }
    } else if (diff < 0) {
      return false;
    } else {
      pos = header->head.load(std::memory_order_relaxed);
    }
  }
}

// The first failure of a call keeps its message.
void RecordFailure(BatchSlot& batch, char* error, const char* message) {
  std::uint32_t expected = 0;
  if (batch.failed.compare_exchange_strong(expected, 1)) {
    std::strncpy(error, message, kErrorLength - 1);
  }
}

void Execute(PoolHeader* header, std::byte* base, const TaskSlot& task) {
  BatchSlot& batch = header->batches[task.batch];
  char* error = reinterpret_cast<char*>(base + task.inputs - kErrorLength);
  try {
    task.kernel(task.fn, base + task.inputs, base + task.results, task.begin,
                task.end);
  } catch (const std::exception& e) {
    RecordFailure(batch, error, e.what());
  } catch (...) {
    RecordFailure(batch, error, "unknown exception");
  }
  // seq_cst pairs with the parent's store to `waiting` (Dekker): either it
  // sees remaining == 0 or we see waiting and wake it.
  if (batch.remaining.fetch_sub(1) == 1 && batch.waiting.load() != 0) {
    FutexWake(batch.remaining, INT_MAX);
  }
}

}  // namespace

void RunWorker(PoolHeader* header, std::byte* base,
               std::chrono::microseconds spin) {
  TaskSlot task{};
  for (;;) {
    if (TryClaim(header, task)) {
      Execute(header, base, task);
      continue;
    }
    if (header->closed.load() != 0 && !TryClaim(header, task)) {
      std::fflush(nullptr);
      _exit(0);
    }
    // A short spin catches the next task of a busy caller without a syscall.
    const auto spin_until = std::chrono::steady_clock::now() + spin;
    bool claimed = false;
    while (!claimed && std::chrono::steady_clock::now() < spin_until) {
      for (int i = 0; i < 64 && !claimed; ++i) {
        CpuRelax();
        claimed = TryClaim(header, task);
      }
    }
    if (claimed) {
      Execute(header, base, task);
      continue;
    }
    // Event count: announce, read the sequence, re-check, then sleep. The
    // parent bumps the sequence after publishing and wakes if anyone sleeps.
    header->sleepers.fetch_add(1);
    const std::uint32_t seq = header->work_seq.load();
    if (TryClaim(header, task)) {
      header->sleepers.fetch_sub(1);
      Execute(header, base, task);
      continue;
    }
    if (header->closed.load() == 0) FutexWait(header->work_seq, seq);
    header->sleepers.fetch_sub(1);
  }
}

namespace {

// What a forkserver child needs to serve as a worker (the segment maps at
// another address there).
struct ServedWorker {
  std::uint64_t segment_bytes;
  std::uint64_t header_offset;
  std::int64_t spin_us;
  char segment[NAME_MAX + 1];
};

[[noreturn]] void ServeFromForkserver(std::span<const std::byte> args) {
  ServedWorker served;
  if (args.size() != sizeof(served))
    throw std::invalid_argument(
        "a pool worker's arguments have the wrong size");
  std::memcpy(&served, args.data(), sizeof(served));
  // Never unmapped: RunWorker ends the process.
  std::byte* base = MapByName(served.segment, served.segment_bytes);
  RunWorker(reinterpret_cast<PoolHeader*>(base + served.header_offset), base,
            std::chrono::microseconds(served.spin_us));
}

}  // namespace

PortableTarget ServedWorkerTarget(const std::string& segment,
                                  std::size_t segment_bytes,
                                  std::uint64_t header_offset,
                                  std::chrono::microseconds spin) {
  ServedWorker served{segment_bytes, header_offset, spin.count(), {}};
  std::snprintf(served.segment, sizeof(served.segment), "%s", segment.c_str());
  std::vector<std::byte> args(sizeof(served));
  std::memcpy(args.data(), &served, sizeof(served));
  return {&ServeFromForkserver, std::move(args)};
}

}  // namespace concbench::internal
