// tbb_queue: oneTBB's concurrent_bounded_queue, the thread-only baseline.
// Its blocking pop cannot time out, so a waiting side spins on try_pop and
// yields, which lets a peer on the same CPU run, and checks its peer every
// slice.
#include <oneapi/tbb/concurrent_queue.h>

#include <array>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "chunked_end.h"

namespace concbench::internal {
namespace {

constexpr std::size_t kChunk = 4096;
constexpr std::ptrdiff_t kSlots = 64;

struct Chunk {
  std::size_t size;
  std::array<std::byte, kChunk> data;
};
using TbbQueue = oneapi::tbb::concurrent_bounded_queue<Chunk>;

// Retries `attempt` until it succeeds or kSlice has passed.
template <class Attempt>
bool RetryForSlice(Attempt attempt, std::chrono::milliseconds slice) {
  const auto until = std::chrono::steady_clock::now() + slice;
  do {
    for (int i = 0; i < 64; ++i) {
      if (attempt()) return true;
    }
    std::this_thread::yield();
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

class TbbEnd : public ChunkedEnd {
 public:
  TbbEnd(TbbQueue& out, TbbQueue& in)
      : ChunkedEnd(kChunk), out_(out), in_(in) {}

 protected:
  bool TrySend(std::span<const std::byte> piece) override {
    chunk_.size = piece.size();
    std::memcpy(chunk_.data.data(), piece.data(), piece.size());
    return RetryForSlice([&] { return out_.try_push(chunk_); }, kSlice);
  }
  std::optional<std::size_t> TryReceive(std::span<std::byte> into) override {
    if (!RetryForSlice([&] { return in_.try_pop(chunk_); }, kSlice))
      return std::nullopt;
    std::memcpy(into.data(), chunk_.data.data(), chunk_.size);
    return chunk_.size;
  }

 private:
  TbbQueue& out_;
  TbbQueue& in_;
  Chunk chunk_{};
};

class TbbQueueChannel : public Channel {
 public:
  TbbQueueChannel()
      : ends_{TbbEnd(forward_, backward_), TbbEnd(backward_, forward_)} {
    forward_.set_capacity(kSlots);
    backward_.set_capacity(kSlots);
  }
  ChannelEnd& end(int side) override { return ends_[side]; }

 private:
  TbbQueue forward_;
  TbbQueue backward_;
  TbbEnd ends_[2];
};

}  // namespace

std::unique_ptr<Channel> MakeTbbQueueChannel() {
  return std::make_unique<TbbQueueChannel>();
}

}  // namespace concbench::internal
