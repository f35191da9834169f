// Checked messages over a ChannelEnd: every message carries a sequence number
// and a checksum of its payload, and every receive checks both, so a channel
// that loses, reorders or corrupts a byte fails the run instead of reporting
// a number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "concbench/channel.h"

namespace concbench {

// A sequence number that tells the peer to stop.
inline constexpr std::uint64_t kStopSequence = ~std::uint64_t{0};

// A Fletcher-style checksum of `payload`: position-sensitive, so reordered
// words change it, and cheap enough (additions only) not to dominate a
// 1 MiB transfer.
std::uint64_t Checksum(std::span<const std::byte> payload);

// A message buffer: a 16-byte header (sequence, checksum), then `payload`
// bytes. Sizes in benchmark names count the payload only.
class Message {
 public:
  explicit Message(std::size_t payload);

  // Fills the payload with bytes derived from `sequence` and seals it.
  void Fill(std::uint64_t sequence);
  std::uint64_t sequence() const;
  std::span<std::byte> payload();
  std::span<const std::byte> bytes() const { return buffer_; }

  // Sends the whole buffer (header and payload) through `end`.
  void Send(ChannelEnd& end) const;
  // Receives one message of this size from `end`, then checks it: throws
  // ChannelError when the checksum does not match the payload, or when the
  // sequence is neither `expected` nor kStopSequence. Returns the sequence.
  std::uint64_t Receive(ChannelEnd& end, std::uint64_t expected);

 private:
  std::vector<std::byte> buffer_;
};

}  // namespace concbench
