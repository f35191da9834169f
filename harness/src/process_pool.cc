#include "concbench/process_pool.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/interprocess/managed_shared_memory.hpp>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <new>
#include <string>
#include <thread>

#include "concbench/cleanup.h"
#include "concbench/cpu_time.h"
#include "concbench/process.h"
#include "concbench/sync.h"
#include "pool_layout.h"

namespace concbench {
namespace internal {

namespace bip = boost::interprocess;

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
      : segment_name_(NameKind::kSharedMemory),
        segment_(bip::create_only, segment_name_.c_str(),
                 sizeof(PoolHeader) + options.arena_bytes + (1 << 16)),
        base_(static_cast<std::byte*>(segment_.get_address())),
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
        if (options.start == StartMethod::kForkserver) {
          auto served = std::make_unique<Process>(
              ServedWorkerTarget(segment_name_.str(),
                                 Offset(reinterpret_cast<std::byte*>(header_)),
                                 options.spin),
              StartMethod::kForkserver, fmt::format("pool worker {}", i));
          served->start();
          workers_.push_back({served->pid(), std::nullopt, std::move(served)});
          continue;
        }
        const pid_t pid = ForkChild();
        if (pid == 0) RunWorker(header_, base_, options.spin);
        workers_.push_back({pid, std::nullopt, nullptr});
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
    for (std::size_t i = 0; i < workers_.size(); ++i) Ended(i, /*block=*/true);
    joined_ = true;
  }

  void Terminate() {
    for (const Worker& worker : workers_) {
      if (worker.exitcode) continue;
      if (worker.served) {
        worker.served->kill();
      } else {
        ::kill(worker.pid, SIGKILL);
      }
    }
    for (std::size_t i = 0; i < workers_.size(); ++i) Ended(i, /*block=*/true);
    if (broken_.empty()) broken_ = "the pool was terminated";
    header_ = nullptr;  // the segment stays mapped until destruction
  }

  bool joined() const { return joined_; }

 private:
  struct Worker {
    pid_t pid;
    std::optional<int> exitcode;
    // A forkserver child (the server reaps it): its Process, else null.
    std::unique_ptr<Process> served;
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

  // Waits for (`block`) or looks at worker `index`; true once it has ended
  // (its exit code set). A forkserver that died took the worker with it: the
  // pool is broken with the server's fate.
  bool Ended(std::size_t index, bool block) {
    Worker& worker = workers_[index];
    if (worker.exitcode) return true;
    if (worker.served) {
      try {
        if (block ? !worker.served->join() : worker.served->is_alive())
          return false;
        worker.exitcode = worker.served->exitcode();
      } catch (const std::runtime_error& e) {
        worker.exitcode = -SIGKILL;
        if (broken_.empty()) broken_ = fmt::format("pool broken: {}", e.what());
      }
      return true;
    }
    int status = 0;
    pid_t got;
    do {
      got = waitpid(worker.pid, &status, block ? 0 : WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got == 0) return false;
    // ECHILD: already reaped, by the interrupt handler after its SIGKILL.
    if (got < 0) status = SIGKILL;
    worker.exitcode = ExitCodeFromStatus(status);
    ForgetChild(worker.pid);
    return true;
  }

  // A worker that ended while the pool runs breaks it. After close(), a clean
  // exit is the normal end of a worker.
  void CheckWorkers() {
    if (header_ == nullptr) return;
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      if (workers_[i].exitcode || !Ended(i, /*block=*/false)) continue;
      const int code = *workers_[i].exitcode;
      if (closed_ && code == 0 && broken_.empty()) continue;
      if (broken_.empty()) {
        broken_ = fmt::format("pool broken: worker {} (pid {}) {}", i,
                              workers_[i].pid, DescribeExitCode(code));
      }
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

  std::byte* AllocateArena(std::size_t bytes, std::uint32_t id) {
    void* block = segment_.allocate_aligned(std::max<std::size_t>(bytes, 64),
                                            64, std::nothrow);
    if (block == nullptr) {
      SweepAbandoned();
      block = segment_.allocate_aligned(std::max<std::size_t>(bytes, 64), 64,
                                        std::nothrow);
    }
    if (block == nullptr) {
      free_.push_back(id);
      throw PoolError(fmt::format(
          "the pool's {} MiB arena cannot hold {} more bytes of arguments and "
          "results (raise Options::arena_bytes)",
          segment_.get_size() >> 20, bytes));
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

  OwnedName segment_name_;  // first: the name is removed after the unmap
  bip::managed_shared_memory segment_;
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
