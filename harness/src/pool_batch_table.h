// The parent's table of a ProcessPool's submitted calls. Used by
// process_pool.cc alone (internal to the pool).
#pragma once

#include <boost/interprocess/managed_external_buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "concbench/map_call.h"
#include "concbench/shared_memory.h"
#include "pool_layout.h"

namespace concbench::internal {

// Which batch ids are in use, each call's block in the shared arena
// ([error text | inputs | results], each on its own cache lines), and the ids
// whose handles went away before their tasks ended, freed once they have. Used
// from the owning thread only.
class BatchTable {
 public:
  // Blocks come from `arena`, laid over `shared` and grown over more of it
  // (allocated first) as calls need room; `slots` are the batches'
  // completion records in shared memory (kBatchCapacity of them).
  BatchTable(SharedSegment& shared,
             boost::interprocess::managed_external_buffer& arena,
             BatchSlot* slots);

  // Opens a batch for `call`: a free id, a block holding its inputs, no error
  // text, and room for its results, and a slot that counts its tasks (one per
  // chunk). Throws PoolError when every id is taken or the arena is full
  // (after freeing what abandoned batches have finished, and growing the
  // arena: a full /dev/shm is a PoolError naming the space free).
  std::uint32_t Open(const MapCall& call);

  BatchSlot& slot(std::uint32_t id) const { return slots_[id]; }
  // True when every task of batch `id` has ended.
  bool Done(std::uint32_t id) const { return slots_[id].remaining.load() == 0; }
  // Batch `id`'s inputs and results, as offsets from the arena's base.
  std::uint64_t inputs(std::uint32_t id) const;
  std::uint64_t results(std::uint32_t id) const;
  // What a failed task of batch `id` wrote (NUL-terminated).
  const char* error(std::uint32_t id) const;
  // Copies batch `id`'s results to `out`.
  void CopyResults(std::uint32_t id, std::byte* out) const;

  // Frees batch `id`'s id and block.
  void Release(std::uint32_t id);
  // Frees batch `id` once Done: at a later Open that runs short of room.
  void ReleaseWhenDone(std::uint32_t id) { abandoned_.push_back(id); }

 private:
  struct Record {
    std::byte* block = nullptr;
    std::size_t result_offset = 0;
    std::size_t result_bytes = 0;
  };

  std::uint32_t AllocateId();
  std::byte* AllocateBlock(std::size_t bytes, std::uint32_t id);
  void SweepAbandoned();

  SharedSegment& shared_;
  boost::interprocess::managed_external_buffer& arena_;
  std::byte* base_;
  BatchSlot* slots_;
  std::vector<Record> records_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> abandoned_;
};

}  // namespace concbench::internal
