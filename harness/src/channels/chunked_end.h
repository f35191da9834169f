// Turns a transport of bounded messages (message_queue, Queue, a TBB queue)
// into a ChannelEnd's byte stream: writes are cut into chunks, reads put
// them back together.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "concbench/channel.h"

namespace concbench::internal {

class ChunkedEnd : public ChannelEnd {
 public:
  explicit ChunkedEnd(std::size_t max_chunk) : buffer_(max_chunk) {}

  void Write(std::span<const std::byte> bytes) override {
    while (!bytes.empty()) {
      const auto piece = bytes.first(std::min(bytes.size(), buffer_.size()));
      const auto since = std::chrono::steady_clock::now();
      while (!TrySend(piece)) CheckPeer(since, "write");
      bytes = bytes.subspan(piece.size());
    }
  }

  void Read(std::span<std::byte> bytes) override {
    while (!bytes.empty()) {
      if (begin_ == end_) {
        const auto since = std::chrono::steady_clock::now();
        std::optional<std::size_t> got;
        while (!(got = TryReceive(buffer_))) {
          try {
            CheckPeer(since, "read");
          } catch (const ChannelError&) {
            // The peer may have sent its last message and ended between the
            // empty slice and the check: what it sent is still read.
            if ((got = TryReceive(buffer_))) break;
            throw;
          }
        }
        begin_ = 0;
        end_ = *got;
      }
      const std::size_t n = std::min(bytes.size(), end_ - begin_);
      std::memcpy(bytes.data(), buffer_.data() + begin_, n);
      begin_ += n;
      bytes = bytes.subspan(n);
    }
  }

 protected:
  // How long one TrySend or TryReceive may wait before the peer is checked.
  static constexpr auto kSlice = std::chrono::milliseconds(10);

  // Sends `piece` (at most max_chunk bytes) as one message; false when there
  // was no room within kSlice.
  virtual bool TrySend(std::span<const std::byte> piece) = 0;
  // Receives one message into `into` (max_chunk bytes); its size, or empty
  // when none arrived within kSlice.
  virtual std::optional<std::size_t> TryReceive(std::span<std::byte> into) = 0;

 private:
  std::vector<std::byte> buffer_;  // the last message received
  std::size_t begin_ = 0;          // its bytes not yet read: [begin_, end_)
  std::size_t end_ = 0;
};

}  // namespace concbench::internal
