#include "concbench/message.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace concbench {
namespace {

// CheckFull compares whole words with PatternWord, which the bytes of
// PatternByte spell in little-endian order.
static_assert(std::endian::native == std::endian::little);

constexpr std::size_t kHeader = 2 * sizeof(std::uint64_t);
constexpr std::size_t kWord = sizeof(std::uint64_t);
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

// The layout's word at word position `index`: different at every position,
// so a shifted, swapped or zeroed block differs from it.
constexpr std::uint64_t PatternWord(std::size_t index) {
  return (static_cast<std::uint64_t>(index) + 1) * kGolden ^ 0x5A5A5A5A5A5A5A5A;
}

std::byte PatternByte(std::size_t offset) {
  return static_cast<std::byte>(PatternWord(offset / kWord) >>
                                (8 * (offset % kWord)));
}

// The 8 bytes that mark a message as `sequence`'s.
std::uint64_t Mark(std::uint64_t sequence) { return sequence * kGolden + 1; }

std::byte MarkByte(std::uint64_t sequence, std::size_t offset) {
  return static_cast<std::byte>(Mark(sequence) >> (8 * (offset % kWord)));
}

// Payloads shorter than two words are all mark.
bool AllMark(std::size_t size) { return size < 2 * kWord; }

std::uint64_t Load(const std::byte* at) {
  std::uint64_t word;
  std::memcpy(&word, at, sizeof(word));
  return word;
}

}  // namespace

Message::Message(std::size_t payload) : buffer_(kHeader + payload) {
  auto data = this->payload();
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = PatternByte(i);
  if (data.size() >= 3 * kWord) {
    for (std::size_t i = 1; i <= kSampledWords; ++i)
      samples_[i - 1] = Load(data.data() + SampledOffset(data.size(), i));
  }
  Fill(0);
}

std::span<std::byte> Message::payload() {
  return std::span<std::byte>(buffer_).subspan(kHeader);
}

std::span<const std::byte> Message::payload() const {
  return std::span<const std::byte>(buffer_).subspan(kHeader);
}

std::uint64_t Message::sequence() const { return Load(buffer_.data()); }

void Message::Fill(std::uint64_t sequence) {
  auto data = payload();
  const std::uint64_t mark = Mark(sequence);
  if (AllMark(data.size())) {
    for (std::size_t i = 0; i < data.size(); ++i)
      data[i] = MarkByte(sequence, i);
  } else {
    std::memcpy(data.data(), &mark, sizeof(mark));
    std::memcpy(data.data() + data.size() - kWord, &mark, sizeof(mark));
  }
  std::memcpy(buffer_.data(), &sequence, sizeof(sequence));
  std::memcpy(buffer_.data() + kWord, &mark, sizeof(mark));
}

void Message::Send(ChannelEnd& end) const { end.Write(buffer_); }

void Message::CheckSampled() const {
  const auto data = payload();
  const std::uint64_t sequence = this->sequence();
  const std::uint64_t mark = Mark(sequence);
  bool intact = Load(buffer_.data() + kWord) == mark;
  if (AllMark(data.size())) {
    for (std::size_t i = 0; i < data.size(); ++i)
      intact &= data[i] == MarkByte(sequence, i);
  } else {
    const std::size_t last = data.size() - kWord;
    intact &= Load(data.data()) == mark && Load(data.data() + last) == mark;
    if (last >= 2 * kWord) {
      for (std::size_t i = 1; i <= kSampledWords; ++i) {
        intact &= Load(data.data() + SampledOffset(data.size(), i)) ==
                  samples_[i - 1];
      }
    } else {
      for (std::size_t i = kWord; i < last; ++i)  // fewer than 8 bytes
        intact &= data[i] == PatternByte(i);
    }
  }
  if (!intact) {
    throw ChannelError(
        fmt::format("message {}: a sampled word does not match", sequence));
  }
}

void Message::CheckFull() const {
  const auto data = payload();
  const std::uint64_t sequence = this->sequence();
  auto fail = [&](std::size_t offset) {
    throw ChannelError(
        fmt::format("message {}: payload byte {} differs from what was sent",
                    sequence, offset));
  };
  if (AllMark(data.size())) {
    for (std::size_t i = 0; i < data.size(); ++i)
      if (data[i] != MarkByte(sequence, i)) fail(i);
    return;
  }
  const std::size_t last = data.size() - kWord;
  if (Load(data.data()) != Mark(sequence)) fail(0);
  if (Load(data.data() + last) != Mark(sequence)) fail(last);
  std::size_t i = kWord;
  for (; i + kWord <= last; i += kWord)
    if (Load(data.data() + i) != PatternWord(i / kWord)) fail(i);
  for (; i < last; ++i)
    if (data[i] != PatternByte(i)) fail(i);
}

std::uint64_t Message::Receive(ChannelEnd& end, std::uint64_t expected) {
  // The buffer already holds the expected layout; wiping a message due for
  // the full check makes bytes that never arrive fail it too (one memset in
  // kFullCheckEvery messages).
  if (FullCheckDue(expected)) {
    const auto data = payload();
    std::fill(data.begin(), data.end(), std::byte{0});
  }
  end.Read(buffer_);
  const std::uint64_t got = sequence();
  if (got != expected && got != kStopSequence) {
    throw ChannelError(
        fmt::format("message {} arrived where {} was expected", got, expected));
  }
  CheckSampled();
  if (FullCheckDue(got)) CheckFull();
  return got;
}

}  // namespace concbench
