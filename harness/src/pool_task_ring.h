// The parent's end of a ProcessPool's task ring. Used by
// process_pool.cc alone (internal to the pool).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "concbench/sync.h"
#include "pool_layout.h"

namespace concbench::internal {

// Publishes tasks, in order, into the ring in a pool's header (Vyukov's
// bounded MPMC queue; the workers' end is in pool_worker.cc) and wakes
// sleeping workers. Used from the owning thread only.
class TaskRing {
 public:
  // Marks every slot of `header`'s ring free for the parent.
  explicit TaskRing(PoolHeader* header) : header_(header) {
    for (std::size_t i = 0; i < kTaskCapacity; ++i) {
      header_->tasks[i].sequence.store(i, std::memory_order_relaxed);
    }
  }

  // True while the next slot holds a task no worker has claimed yet.
  bool Full() const {
    return Next().sequence.load(std::memory_order_acquire) != tail_;
  }

  // Publishes items [begin, end) of `call` (batch `batch`; inputs and
  // results as offsets from the segment base) in the next slot, which must
  // be free (!Full()), and wakes one sleeping worker.
  void Push(const MapCall& call, std::uint64_t inputs, std::uint64_t results,
            std::size_t begin, std::size_t end, std::uint32_t batch) {
    TaskSlot& slot = Next();
    slot.kernel = call.kernel;
    slot.fn = call.fn;
    slot.inputs = inputs;
    slot.results = results;
    slot.begin = static_cast<std::uint32_t>(begin);
    slot.end = static_cast<std::uint32_t>(end);
    slot.batch = batch;
    slot.sequence.store(tail_ + 1, std::memory_order_release);
    ++tail_;
    Wake(1);
  }

  // Wakes up to `count` sleeping workers to look at the ring and `closed`.
  void Wake(int count) {
    header_->work_seq.fetch_add(1);
    if (header_->sleepers.load() != 0) FutexWake(header_->work_seq, count);
  }

 private:
  TaskSlot& Next() const { return header_->tasks[tail_ & (kTaskCapacity - 1)]; }

  PoolHeader* header_;
  std::uint64_t tail_ = 0;
};

}  // namespace concbench::internal
