#include "concbench/process_pool.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/interprocess/managed_external_buffer.hpp>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <new>
#include <string>
#include <thread>

#include "concbench/cleanup.h"
#include "concbench/cpu_time.h"
#include "concbench/process.h"
#include "concbench/shared_memory.h"
#include "concbench/sync.h"
#include "pool_layout.h"

namespace concbench {
namespace internal {

namespace bip = boost::interprocess;

// Room for Boost's bookkeeping in the segment, and the least the arena
// grows by: each growth allocates its pages, once per high-water mark.
constexpr std::size_t kBookkeeping = std::size_t{1} << 16;
constexpr std::size_t kGrowStep = std::size_t{1} << 20;

// How often a waiting parent looks for dead workers.
constexpr auto kHealthCheckInterval = std::chrono::milliseconds(50);

std::size_t AutoChunk(std::size_t count, int workers) {
  const std::size_t per = static_cast<std::size_t>(workers) * 4;
  return std::max<std::size_t>(1, (count + per - 1) / per);
}

// The parent's side of a pool. Shared by ProcessPool and its outstanding
// Batch handles, so a handle that outlives the pool fails cleanly instead of
// touching unmapped memory. Used from the owning thread only.
class PoolCore {
 public:
  PoolCore(int workers, const ProcessPool::Options& options)
      : shared_(kBookkeeping + sizeof(PoolHeader) + options.arena_bytes,
                kBookkeeping + sizeof(PoolHeader)),
        segment_(bip::create_only, shared_.data(),
                 kBookkeeping + sizeof(PoolHeader)),
        base_(static_cast<std::byte*>(shared_.data())),
        records_(kBatchCapacity) {
    void* memory = segment_.allocate_aligned(sizeof(PoolHeader), 64);
    header_ = new (memory) PoolHeader();
    for (std::size_t i = 0; i < kTaskCapacity; ++i) {
      header_->tasks[i].sequence.store(i, std::memory_order_relaxed);
    }
    for (std::uint32_t id = kBatchCapacity; id > 0; --id)
      free_.push_back(id - 1);
    workers_.reserve(workers);
    try {
      for (int i = 0; i < workers; ++i) {
        const pid_t pid = ForkChild();
        if (pid == 0) RunWorker(header_, base_, options.spin);
        workers_.push_back({pid, std::nullopt});
      }
    } catch (...) {
      Terminate();
      throw;
    }
  }

  ~PoolCore() { Terminate(); }

  int workers() const { return static_cast<int>(workers_.size()); }
  std::vector<pid_t> pids() const {
    std::vector<pid_t> pids;
    for (const Worker& worker : workers_) pids.push_back(worker.pid);
    return pids;
  }

  std::vector<pid_t> live_pids() const {
    std::vector<pid_t> pids;
    for (const Worker& worker : workers_) {
      if (!worker.exitcode) pids.push_back(worker.pid);
    }
    return pids;
  }

  std::uint32_t Submit(const MapCall& call) {
    ThrowIfUnusable();
    if (closed_) throw PoolError("the pool is closed");
    // Task ranges and the completion count are 32-bit in shared memory.
    if (call.count > UINT32_MAX) {
      throw PoolError(fmt::format("{} items in one call; at most {}",
                                  call.count, UINT32_MAX));
    }
    const std::uint32_t id = AllocateBatch();
    BatchRecord& record = records_[id];
    // The block: [error text | inputs | results], each 64-byte aligned.
    const std::size_t in_bytes = call.count * call.input_size;
    record.result_offset = kErrorLength + (in_bytes + 63) / 64 * 64;
    record.result_bytes = call.count * call.result_size;
    record.block =
        AllocateArena(record.result_offset + record.result_bytes, id);
    record.block[0] = std::byte{0};  // no error text yet
    if (in_bytes > 0) {
      std::memcpy(record.block + kErrorLength, call.inputs, in_bytes);
    }

    const std::size_t tasks = (call.count + call.chunk - 1) / call.chunk;
    BatchSlot& batch = header_->batches[id];
    batch.failed.store(0, std::memory_order_relaxed);
    batch.waiting.store(0, std::memory_order_relaxed);
    batch.remaining.store(static_cast<std::uint32_t>(tasks));

    const std::uint64_t inputs = Offset(record.block) + kErrorLength;
    const std::uint64_t results = Offset(record.block) + record.result_offset;
    for (std::size_t begin = 0; begin < call.count; begin += call.chunk) {
      Publish(call, inputs, results, begin,
              std::min(call.count, begin + call.chunk), id);
    }
    return id;
  }

  bool Ready(std::uint32_t id) const {
    return header_ != nullptr && header_->batches[id].remaining.load() == 0;
  }

  // Waits for batch `id`; throws PoolError / PoolTimeout.
  void Wait(std::uint32_t id, Timeout timeout) {
    if (header_ == nullptr) throw PoolError(Unusable());
    BatchSlot& batch = header_->batches[id];
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
      throw PoolError(
          fmt::format("task failed: {}",
                      reinterpret_cast<const char*>(records_[id].block)));
    }
  }

  void Collect(std::uint32_t id, std::byte* results, Timeout timeout) {
    try {
      Wait(id, timeout);
    } catch (const PoolError&) {
      Release(id);
      throw;
    }
    const BatchRecord& record = records_[id];
    if (record.result_bytes > 0) {
      std::memcpy(results, record.block + record.result_offset,
                  record.result_bytes);
    }
    Release(id);
  }

  // A handle went away uncollected: free it now if its workers are done.
  void Abandon(std::uint32_t id) {
    if (header_ == nullptr) return;
    if (Ready(id) || !broken_.empty()) {
      Release(id);
    } else {
      abandoned_.push_back(id);
    }
  }

  void Close() {
    if (header_ == nullptr || closed_) return;
    closed_ = true;
    header_->closed.store(1);
    WakeWorkers(INT_MAX);
  }

  void Join() {
    if (!closed_ && header_ != nullptr) {
      throw PoolError("join() needs close() or terminate() first");
    }
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      if (workers_[i].exitcode) continue;
      int status = 0;
      while (waitpid(workers_[i].pid, &status, 0) < 0 && errno == EINTR) {
      }
      Reaped(i, status);
    }
    joined_ = true;
  }

  void Terminate() {
    for (const Worker& worker : workers_) {
      if (!worker.exitcode) ::kill(worker.pid, SIGKILL);
    }
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      if (workers_[i].exitcode) continue;
      int status = 0;
      while (waitpid(workers_[i].pid, &status, 0) < 0 && errno == EINTR) {
      }
      workers_[i].exitcode = ExitCodeFromStatus(status);
      ForgetChild(workers_[i].pid);
    }
    if (broken_.empty()) broken_ = "the pool was terminated";
    header_ = nullptr;  // the segment stays mapped until destruction
  }

  bool joined() const { return joined_; }

 private:
  struct Worker {
    pid_t pid;
    std::optional<int> exitcode;
  };
  struct BatchRecord {
    std::byte* block = nullptr;
    std::size_t result_offset = 0;
    std::size_t result_bytes = 0;
  };

  std::uint64_t Offset(const std::byte* p) const {
    return static_cast<std::uint64_t>(p - base_);
  }

  std::string Unusable() const {
    return broken_.empty() ? "the pool is not running" : broken_;
  }
  void ThrowIfUnusable() const {
    if (header_ == nullptr || !broken_.empty()) throw PoolError(Unusable());
  }

  void Reaped(std::size_t index, int status) {
    workers_[index].exitcode = ExitCodeFromStatus(status);
    ForgetChild(workers_[index].pid);
  }

  // A worker that ended while the pool runs breaks it. After close(), a clean
  // exit is the normal end of a worker.
  void CheckWorkers() {
    if (header_ == nullptr) return;
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      if (workers_[i].exitcode) continue;
      int status = 0;
      const pid_t got = waitpid(workers_[i].pid, &status, WNOHANG);
      if (got == 0 || (got < 0 && errno != ECHILD)) continue;
      // ECHILD: already reaped, by the interrupt handler after its SIGKILL.
      if (got < 0) status = SIGKILL;
      Reaped(i, status);
      const int code = *workers_[i].exitcode;
      if (closed_ && code == 0) continue;
      broken_ = fmt::format("pool broken: worker {} (pid {}) {}", i,
                            workers_[i].pid, DescribeExitCode(code));
      Terminate();
      return;
    }
  }

  std::uint32_t AllocateBatch() {
    if (free_.empty()) SweepAbandoned();
    if (free_.empty()) {
      throw PoolError(
          fmt::format("more than {} results outstanding: get() some first",
                      kBatchCapacity));
    }
    const std::uint32_t id = free_.back();
    free_.pop_back();
    return id;
  }

  // A block from the arena: from what it holds, then after sweeping the
  // abandoned calls, then by growing it over more of the segment, allocated
  // first (a full /dev/shm is a PoolError naming the space free).
  std::byte* AllocateArena(std::size_t bytes, std::uint32_t id) {
    const auto allocate = [&] {
      return segment_.allocate_aligned(std::max<std::size_t>(bytes, 64), 64,
                                       std::nothrow);
    };
    void* block = allocate();
    if (block == nullptr) {
      SweepAbandoned();
      block = allocate();
    }
    try {
      while (block == nullptr && segment_.get_size() < shared_.size()) {
        const std::size_t extra =
            std::min(shared_.size() - segment_.get_size(),
                     std::max(kGrowStep, bytes + kBookkeeping));
        shared_.Reserve(segment_.get_size() + extra);
        segment_.grow(extra);
        block = allocate();
      }
    } catch (const std::exception& error) {
      free_.push_back(id);
      throw PoolError(error.what());
    }
    if (block == nullptr) {
      free_.push_back(id);
      throw PoolError(fmt::format(
          "the pool's {} MiB arena cannot hold {} more bytes of arguments and "
          "results (raise Options::arena_bytes)",
          shared_.size() >> 20, bytes));
    }
    return static_cast<std::byte*>(block);
  }

  void Release(std::uint32_t id) {
    BatchRecord& record = records_[id];
    if (record.block != nullptr) segment_.deallocate(record.block);
    record = BatchRecord{};
    free_.push_back(id);
  }

  void SweepAbandoned() {
    std::erase_if(abandoned_, [this](std::uint32_t id) {
      if (!Ready(id)) return false;
      Release(id);
      return true;
    });
  }

  void Publish(const MapCall& call, std::uint64_t inputs, std::uint64_t results,
               std::size_t begin, std::size_t end, std::uint32_t id) {
    TaskSlot& slot = header_->tasks[tail_ & (kTaskCapacity - 1)];
    // A full ring: wait for the workers to free the slot, watching their
    // health.
    while (slot.sequence.load(std::memory_order_acquire) != tail_) {
      CheckWorkers();
      ThrowIfUnusable();
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
    slot.kernel = call.kernel;
    slot.fn = call.fn;
    slot.inputs = inputs;
    slot.results = results;
    slot.begin = static_cast<std::uint32_t>(begin);
    slot.end = static_cast<std::uint32_t>(end);
    slot.batch = id;
    slot.sequence.store(tail_ + 1, std::memory_order_release);
    ++tail_;
    WakeWorkers(1);
  }

  void WakeWorkers(int count) {
    header_->work_seq.fetch_add(1);
    if (header_->sleepers.load() != 0) FutexWake(header_->work_seq, count);
  }

  // The segment, allocated as far as the arena has grown: the header and
  // Boost's bookkeeping at first, then in steps as calls need more.
  SharedSegment shared_;
  bip::managed_external_buffer segment_;
  std::byte* base_;
  PoolHeader* header_ = nullptr;
  std::vector<Worker> workers_;
  std::vector<BatchRecord> records_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> abandoned_;
  std::uint64_t tail_ = 0;
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
