// The shared-memory layout of a ProcessPool, seen by the parent and by every
// worker. Internal to the pool's sources (process_pool.cc, pool_*.{h,cc}).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "concbench/cache_line.h"
#include "concbench/process.h"
#include "concbench/process_pool.h"

namespace concbench::internal {

// Sized so that a new pool touches little memory: a first touch of a shared
// page costs microseconds, and start-up is measured. A full ring only makes
// the parent wait for free slots.
inline constexpr std::size_t kTaskCapacity = 4096;  // a power of two
inline constexpr std::uint32_t kBatchCapacity = 16384;
// A failed task's message goes into its call's arena block, just before the
// inputs, so the per-call slots stay small.
inline constexpr std::size_t kErrorLength = 128;

// One task: items [begin, end) of a batch. The ring is Vyukov's bounded MPMC
// queue: `sequence` says whether the slot is free for the parent (== pos) or
// holds a task for the workers (== pos + 1).
struct alignas(kCacheLine) TaskSlot {
  std::atomic<std::uint64_t> sequence;
  RangeKernel kernel;
  void (*fn)();
  std::uint64_t inputs;   // offset from the segment base; error text before
  std::uint64_t results;  // offset from the segment base
  std::uint32_t begin;
  std::uint32_t end;
  std::uint32_t batch;
};

// Completion of one submitted call. `remaining` is the futex the parent
// sleeps on; the worker that takes it to zero wakes the parent if `waiting`.
struct BatchSlot {
  std::atomic<std::uint32_t> remaining;
  std::atomic<std::uint32_t> waiting;
  std::atomic<std::uint32_t> failed;
};

struct PoolHeader {
  alignas(
      kCacheLine) std::atomic<std::uint64_t> head;  // next task a worker claims
  alignas(kCacheLine)
      std::atomic<std::uint32_t> work_seq;  // futex: bumped on publish
  std::atomic<std::uint32_t> sleepers;      // workers asleep on it
  std::atomic<std::uint32_t> closed;
  alignas(kCacheLine) TaskSlot tasks[kTaskCapacity];
  BatchSlot batches[kBatchCapacity];
};

// The worker's main loop: claims and runs tasks until the pool is closed and
// drained, then _exit(0)s. Never returns.
[[noreturn]] void RunWorker(PoolHeader* header, std::byte* base,
                            std::chrono::microseconds spin);

// A worker started by the forkserver: a target that maps the segment
// `segment` by name and runs RunWorker on the header at `header_offset`.
PortableTarget ServedWorkerTarget(const std::string& segment,
                                  std::size_t segment_bytes,
                                  std::uint64_t header_offset,
                                  std::chrono::microseconds spin);

}  // namespace concbench::internal
