#include "concbench/process_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/interprocess/managed_external_buffer.hpp>
#include <climits>
#include <cstdint>
#include <new>
#include <string>
#include <thread>

#include "concbench/cleanup.h"
#include "concbench/cpu_time.h"
#include "concbench/exit_code.h"
#include "concbench/shared_memory.h"
#include "concbench/sync.h"
#include "pool_batch_table.h"
#include "pool_layout.h"
#include "pool_task_ring.h"
#include "pool_worker_set.h"

namespace concbench {
namespace internal {

namespace bip = boost::interprocess;

// Room for Boost's bookkeeping in the segment: allocated at creation with the
// header; the arena beyond it is allocated as it grows (pool_batch_table.cc).
constexpr std::size_t kBookkeeping = std::size_t{1} << 16;

// How often a waiting parent looks for dead workers.
constexpr auto kHealthCheckInterval = std::chrono::milliseconds(50);

std::size_t AutoChunk(std::size_t count, int workers) {
  const std::size_t per = static_cast<std::size_t>(workers) * 4;
  return std::max<std::size_t>(1, (count + per - 1) / per);
}

// The parent's side of a pool: the shared segment (header and arena), the
// worker processes, the table of submitted calls and the task ring, and what
// makes the pool unusable. Shared by ProcessPool and its outstanding Batch
// handles, so a handle that outlives the pool fails cleanly instead of
// touching unmapped memory. Used from the owning thread only.
class PoolCore {
 public:
  PoolCore(int workers, const ProcessPool::Options& options)
      : shared_(kBookkeeping + sizeof(PoolHeader) + options.arena_bytes,
                kBookkeeping + sizeof(PoolHeader)),
        segment_(bip::create_only, shared_.data(),
                 kBookkeeping + sizeof(PoolHeader)),
        header_(new (segment_.allocate_aligned(sizeof(PoolHeader), kCacheLine))
                    PoolHeader()),
        batches_(shared_, segment_, header_->batches),
        ring_(header_) {
    std::byte* base = static_cast<std::byte*>(shared_.data());
    PoolHeader* header = header_;
    const std::chrono::microseconds spin = options.spin;
    try {
      if (options.start == StartMethod::kForkserver) {
        const auto header_offset = static_cast<std::uint64_t>(
            reinterpret_cast<std::byte*>(header) - base);
        workers_.Serve(workers, [&] {
          return ServedWorkerTarget(shared_.name(), shared_.size(),
                                    header_offset, spin);
        });
      } else {
        workers_.Fork(workers, [=] { RunWorker(header, base, spin); });
      }
    } catch (...) {
      Terminate();
      throw;
    }
  }

  ~PoolCore() { Terminate(); }

  int workers() const { return static_cast<int>(workers_.size()); }
  std::vector<pid_t> pids() const { return workers_.pids(); }
  std::vector<pid_t> live_pids() const { return workers_.live_pids(); }

  std::uint32_t Submit(const MapCall& call) {
    ThrowIfUnusable();
    if (closed_) throw PoolError("the pool is closed");
    // Task ranges and the completion count are 32-bit in shared memory.
    if (call.count > UINT32_MAX) {
      throw PoolError(fmt::format("{} items in one call; at most {}",
                                  call.count, UINT32_MAX));
    }
    const std::uint32_t id = batches_.Open(call);
    const std::uint64_t inputs = batches_.inputs(id);
    const std::uint64_t results = batches_.results(id);
    for (std::size_t begin = 0; begin < call.count; begin += call.chunk) {
      // A full ring: wait for the workers to free the slot, watching their
      // health.
      while (ring_.Full()) {
        CheckWorkers();
        ThrowIfUnusable();
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
      ring_.Push(call, inputs, results, begin,
                 std::min(call.count, begin + call.chunk), id);
    }
    return id;
  }

  bool Ready(std::uint32_t id) const {
    return header_ != nullptr && batches_.Done(id);
  }

  // Waits for batch `id`; throws PoolError / PoolTimeout.
  void Wait(std::uint32_t id, Timeout timeout) {
    if (header_ == nullptr) throw PoolError(Unusable());
    BatchSlot& batch = batches_.slot(id);
    const auto deadline = std::chrono::steady_clock::now() +
                          timeout.value_or(std::chrono::milliseconds(0));
    while (batch.remaining.load() != 0) {
      CheckWorkers();
      ThrowIfUnusable();
      auto slice = std::chrono::nanoseconds(kHealthCheckInterval);
      if (timeout) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::nanoseconds(0)) {
          throw PoolTimeout(
              fmt::format("no result within {} ms", timeout->count()));
        }
        slice = std::min<std::chrono::nanoseconds>(slice, left);
      }
      batch.waiting.store(1);
      const std::uint32_t remaining = batch.remaining.load();
      if (remaining != 0) FutexWait(batch.remaining, remaining, slice);
      batch.waiting.store(0);
    }
    if (batch.failed.load() != 0) {
      throw PoolError(fmt::format("task failed: {}", batches_.error(id)));
    }
  }

  void Collect(std::uint32_t id, std::byte* results, Timeout timeout) {
    try {
      Wait(id, timeout);
    } catch (const PoolError&) {
      batches_.Release(id);
      throw;
    }
    batches_.CopyResults(id, results);
    batches_.Release(id);
  }

  // A handle went away uncollected: free it now if its workers are done.
  void Abandon(std::uint32_t id) {
    if (header_ == nullptr) return;
    if (Ready(id) || !broken_.empty()) {
      batches_.Release(id);
    } else {
      batches_.ReleaseWhenDone(id);
    }
  }

  void Close() {
    if (header_ == nullptr || closed_) return;
    closed_ = true;
    header_->closed.store(1);
    ring_.Wake(INT_MAX);
  }

  void Join() {
    if (!closed_ && header_ != nullptr) {
      throw PoolError("join() needs close() or terminate() first");
    }
    workers_.ReapAll();
    joined_ = true;
  }

  void Terminate() {
    workers_.KillAll();
    if (broken_.empty()) broken_ = "the pool was terminated";
    header_ = nullptr;  // the segment stays mapped until destruction
  }

  bool joined() const { return joined_; }

 private:
  std::string Unusable() const {
    return broken_.empty() ? "the pool is not running" : broken_;
  }
  void ThrowIfUnusable() const {
    if (header_ == nullptr || !broken_.empty()) throw PoolError(Unusable());
  }

  // A worker that ended while the pool runs breaks it. After close(), a clean
  // exit is the normal end of a worker.
  void CheckWorkers() {
    if (header_ == nullptr) return;
    while (const auto ended = workers_.ReapEnded()) {
      if (closed_ && ended->exitcode == 0) continue;
      broken_ =
          ended->lost.empty()
              ? fmt::format("pool broken: worker {} (pid {}) {}", ended->index,
                            ended->pid, DescribeExitCode(ended->exitcode))
              : "pool broken: " + ended->lost;
      Terminate();
      return;
    }
  }

  // The segment, allocated as far as the arena has grown: the header and
  // Boost's bookkeeping at first, then in steps as calls need more.
  SharedSegment shared_;
  bip::managed_external_buffer segment_;
  PoolHeader* header_;  // null once terminated
  BatchTable batches_;
  TaskRing ring_;
  WorkerSet workers_;
  bool closed_ = false;
  bool joined_ = false;
  std::string broken_;
};

Batch::~Batch() {
  if (core_ && !collected_) core_->Abandon(id_);
}

Batch::Batch(Batch&& other) noexcept
    : core_(std::move(other.core_)),
      id_(other.id_),
      count_(other.count_),
      collected_(other.collected_) {
  other.collected_ = true;
}

bool Batch::ready() const { return !collected_ && core_->Ready(id_); }

void Batch::Collect(std::byte* results, Timeout timeout) {
  if (collected_) throw PoolError("result already collected");
  try {
    core_->Collect(id_, results, timeout);
  } catch (const PoolError&) {
    collected_ = true;  // Collect released it
    throw;
  }
  collected_ = true;
}

}  // namespace internal

ProcessPool::ProcessPool(int workers) : ProcessPool(workers, Options{}) {}

ProcessPool::ProcessPool(int workers, Options options) {
  if (workers < 1) {
    throw std::invalid_argument(
        fmt::format("a pool needs at least one worker, got {}", workers));
  }
  if (options.start != StartMethod::kFork &&
      options.start != StartMethod::kForkserver) {
    throw std::invalid_argument(
        fmt::format("a pool starts with fork or forkserver, not {}",
                    StartMethodName(options.start)));
  }
  core_ = std::make_shared<internal::PoolCore>(workers, options);
}

ProcessPool::~ProcessPool() {
  if (!core_->joined()) core_->Terminate();
}

int ProcessPool::workers() const { return core_->workers(); }
std::vector<pid_t> ProcessPool::pids() const { return core_->pids(); }

double ProcessPool::workers_cpu_seconds() const {
  double seconds = 0;
  for (pid_t pid : core_->live_pids()) seconds += ProcessCpuSeconds(pid);
  return seconds;
}

internal::Batch ProcessPool::submit_erased(const internal::MapCall& call) {
  const std::uint32_t id = core_->Submit(call);
  return internal::Batch(core_, id, call.count);
}

void ProcessPool::close() { core_->Close(); }
void ProcessPool::join() { core_->Join(); }
void ProcessPool::terminate() { core_->Terminate(); }

}  // namespace concbench
