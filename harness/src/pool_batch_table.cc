#include "pool_batch_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace concbench::internal {

// The least the arena grows by (each growth allocates its pages, once per
// high-water mark), and the room Boost's bookkeeping takes beside a block.
constexpr std::size_t kGrowStep = std::size_t{1} << 20;
constexpr std::size_t kBookkeeping = std::size_t{1} << 16;

BatchTable::BatchTable(SharedSegment& shared,
                       boost::interprocess::managed_external_buffer& arena,
                       BatchSlot* slots)
    : shared_(shared),
      arena_(arena),
      base_(static_cast<std::byte*>(shared.data())),
      slots_(slots),
      records_(kBatchCapacity) {
  for (std::uint32_t id = kBatchCapacity; id > 0; --id) free_.push_back(id - 1);
}

std::uint32_t BatchTable::Open(const MapCall& call) {
  const std::uint32_t id = AllocateId();
  Record& record = records_[id];
  const std::size_t in_bytes = call.count * call.input_size;
  record.result_offset =
      kErrorLength + (in_bytes + kCacheLine - 1) / kCacheLine * kCacheLine;
  record.result_bytes = call.count * call.result_size;
  record.block = AllocateBlock(record.result_offset + record.result_bytes, id);
  record.block[0] = std::byte{0};  // no error text yet
  if (in_bytes > 0) {
    std::memcpy(record.block + kErrorLength, call.inputs, in_bytes);
  }

  const std::size_t tasks = (call.count + call.chunk - 1) / call.chunk;
  BatchSlot& batch = slots_[id];
  batch.failed.store(0, std::memory_order_relaxed);
  batch.waiting.store(0, std::memory_order_relaxed);
  batch.remaining.store(static_cast<std::uint32_t>(tasks));
  return id;
}

std::uint64_t BatchTable::inputs(std::uint32_t id) const {
  return static_cast<std::uint64_t>(records_[id].block - base_) + kErrorLength;
}

std::uint64_t BatchTable::results(std::uint32_t id) const {
  const Record& record = records_[id];
  return static_cast<std::uint64_t>(record.block - base_) +
         record.result_offset;
}

const char* BatchTable::error(std::uint32_t id) const {
  return reinterpret_cast<const char*>(records_[id].block);
}

void BatchTable::CopyResults(std::uint32_t id, std::byte* out) const {
  const Record& record = records_[id];
  if (record.result_bytes > 0) {
    std::memcpy(out, record.block + record.result_offset, record.result_bytes);
  }
}

void BatchTable::Release(std::uint32_t id) {
  Record& record = records_[id];
  if (record.block != nullptr) arena_.deallocate(record.block);
  record = Record{};
  free_.push_back(id);
}

std::uint32_t BatchTable::AllocateId() {
  if (free_.empty()) SweepAbandoned();
  if (free_.empty()) {
    throw PoolError(fmt::format(
        "more than {} results outstanding: get() some first", kBatchCapacity));
  }
  const std::uint32_t id = free_.back();
  free_.pop_back();
  return id;
}

std::byte* BatchTable::AllocateBlock(std::size_t bytes, std::uint32_t id) {
  const auto allocate = [&] {
    return arena_.allocate_aligned(std::max(bytes, kCacheLine), kCacheLine,
                                   std::nothrow);
  };
  void* block = allocate();
  if (block == nullptr) {
    SweepAbandoned();
    block = allocate();
  }
  try {
    while (block == nullptr && arena_.get_size() < shared_.size()) {
      const std::size_t extra =
          std::min(shared_.size() - arena_.get_size(),
                   std::max(kGrowStep, bytes + kBookkeeping));
      shared_.Reserve(arena_.get_size() + extra);
      arena_.grow(extra);
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

void BatchTable::SweepAbandoned() {
  std::erase_if(abandoned_, [this](std::uint32_t id) {
    if (!Done(id)) return false;
    Release(id);
    return true;
  });
}

}  // namespace concbench::internal
