// queue: the harness's process-shared Queue (the seed's Queue) carrying
// fixed-size chunks, one Queue per direction.
#include <cstring>
#include <memory>

#include "chunked_end.h"
#include "concbench/queue.h"

namespace concbench::internal {
namespace {

constexpr std::size_t kChunk = 4096;
constexpr std::size_t kSlots = 64;

struct Chunk {
  std::size_t size;
  std::byte data[kChunk];
};

class QueueEnd : public ChunkedEnd {
 public:
  QueueEnd(Queue<Chunk>& out, Queue<Chunk>& in)
      : ChunkedEnd(kChunk), out_(out), in_(in) {}

 protected:
  bool TrySend(std::span<const std::byte> piece) override {
    chunk_.size = piece.size();
    std::memcpy(chunk_.data, piece.data(), piece.size());
    return out_.put(chunk_, kSlice);
  }
  std::optional<std::size_t> TryReceive(std::span<std::byte> into) override {
    const auto got = in_.get(kSlice);
    if (!got) return std::nullopt;
    std::memcpy(into.data(), got->data, got->size);
    return got->size;
  }

 private:
  Queue<Chunk>& out_;
  Queue<Chunk>& in_;
  Chunk chunk_{};  // a member: 4 KiB is too much to build on each call
};

class QueueChannel : public Channel {
 public:
  QueueChannel()
      : forward_(kSlots),
        backward_(kSlots),
        ends_{QueueEnd(forward_, backward_), QueueEnd(backward_, forward_)} {}
  ChannelEnd& end(int side) override { return ends_[side]; }

 private:
  Queue<Chunk> forward_;
  Queue<Chunk> backward_;
  QueueEnd ends_[2];
};

}  // namespace

std::unique_ptr<Channel> MakeQueueChannel() {
  return std::make_unique<QueueChannel>();
}

}  // namespace concbench::internal
