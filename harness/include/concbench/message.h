// Checked messages over a ChannelEnd. A message is a 16-byte header
// (sequence, check) and a payload of a fixed layout: a pattern that differs
// at every word position, with the first and last 8 bytes replaced by a mark
// derived from the sequence. The payload is built once; sealing a message
// writes only the header and the two marks, so its cost does not grow with
// the size.
//
// Every receive checks, at a cost independent of the size, the sequence, the
// two marks and kSampledWords words at fixed strides between them, each
// compared directly with what the layout holds there (independent loads and
// compares, no hash chain, so the check adds a few nanoseconds to a round
// trip): a lost, duplicated or reordered message fails, and so does one
// whose sampled words changed. A message due for a full check
// (FullCheckDue) also has every payload byte compared with the layout, so
// corruption anywhere in it fails too.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "concbench/channel.h"

namespace concbench {

// A sequence number that tells the peer to stop.
inline constexpr std::uint64_t kStopSequence = ~std::uint64_t{0};
// Sampled words between the first and the last one.
inline constexpr std::size_t kSampledWords = 6;
// One message in this many (by sequence, from 0) is checked in full.
inline constexpr std::uint64_t kFullCheckEvery = 1024;

// The payload offset of sampled word `i` of a `size`-byte payload: 0 is the
// first word (a mark), kSampledWords + 1 the last (a mark), and the ones
// between lie in the pattern between the marks (payloads of 24 bytes or more).
constexpr std::size_t SampledOffset(std::size_t size, std::size_t i) {
  constexpr std::size_t kWord = sizeof(std::uint64_t);
  if (i == 0) return 0;
  if (i == kSampledWords + 1) return size - kWord;
  return kWord + (size - 3 * kWord) * i / (kSampledWords + 1);
}

// Whether the message with `sequence` gets the full payload check: the
// first, every kFullCheckEvery-th and the stop message.
constexpr bool FullCheckDue(std::uint64_t sequence) {
  return sequence % kFullCheckEvery == 0 || sequence == kStopSequence;
}

class Message {
 public:
  // A message of `payload` bytes, laid out and sealed as message 0.
  explicit Message(std::size_t payload);

  // Makes this the message `sequence`: writes its marks and header.
  void Fill(std::uint64_t sequence);
  std::uint64_t sequence() const;
  // The payload, writable so tests can corrupt it; what a message carries.
  std::span<std::byte> payload();
  std::span<const std::byte> bytes() const { return buffer_; }

  // Sends the whole buffer (header and payload) through `end`.
  void Send(ChannelEnd& end) const;
  // Receives one message of this size from `end`, then checks it: throws
  // ChannelError when the sequence is neither `expected` nor kStopSequence,
  // when the sampled check fails, or, for a message FullCheckDue, when any
  // payload byte differs from the layout. Returns the sequence.
  std::uint64_t Receive(ChannelEnd& end, std::uint64_t expected);

  // The checks Receive applies, on the buffer as it is: throws ChannelError.
  void CheckSampled() const;
  void CheckFull() const;

 private:
  std::span<const std::byte> payload() const;

  std::vector<std::byte> buffer_;
  // What the layout holds at the sampled words between the marks: fixed
  // from construction, so a check is a compare.
  std::array<std::uint64_t, kSampledWords> samples_{};
};

}  // namespace concbench
