#include "concbench/message.h"

#include <fmt/format.h>

#include <cstring>

namespace concbench {
namespace {
constexpr std::size_t kHeader = 2 * sizeof(std::uint64_t);
}

std::uint64_t Checksum(std::span<const std::byte> payload) {
  std::uint64_t sum = 0;
  std::uint64_t weighted = 0;
  std::size_t i = 0;
  for (; i + sizeof(std::uint64_t) <= payload.size(); i += sizeof(sum)) {
    std::uint64_t word;
    std::memcpy(&word, payload.data() + i, sizeof(word));
    sum += word;
    weighted += sum;
  }
  for (; i < payload.size(); ++i) {
    sum += static_cast<std::uint64_t>(payload[i]);
    weighted += sum;
  }
  return sum ^ (weighted * 0x9E3779B97F4A7C15ULL) ^ payload.size();
}

Message::Message(std::size_t payload) : buffer_(kHeader + payload) {
  // A varied payload, so that a shifted or zeroed block changes the checksum.
  for (std::size_t i = kHeader; i < buffer_.size(); ++i)
    buffer_[i] = static_cast<std::byte>(i * 31 + 7);
}

std::span<std::byte> Message::payload() {
  return std::span<std::byte>(buffer_).subspan(kHeader);
}

std::uint64_t Message::sequence() const {
  std::uint64_t sequence;
  std::memcpy(&sequence, buffer_.data(), sizeof(sequence));
  return sequence;
}

void Message::Fill(std::uint64_t sequence) {
  // Only the first and last words change per message: refilling 1 MiB each
  // time would measure memset, yet a stale or shifted payload still fails.
  auto data = payload();
  const std::uint64_t mark = sequence * 0x9E3779B97F4A7C15ULL + 1;
  if (data.size() >= 2 * sizeof(mark)) {
    std::memcpy(data.data(), &mark, sizeof(mark));
    std::memcpy(data.data() + data.size() - sizeof(mark), &mark, sizeof(mark));
  } else {
    for (std::size_t i = 0; i < data.size(); ++i)
      data[i] = static_cast<std::byte>(mark >> (8 * (i % 8)));
  }
  const std::uint64_t checksum = Checksum(data);
  std::memcpy(buffer_.data(), &sequence, sizeof(sequence));
  std::memcpy(buffer_.data() + sizeof(sequence), &checksum, sizeof(checksum));
}

void Message::Send(ChannelEnd& end) const { end.Write(buffer_); }

std::uint64_t Message::Receive(ChannelEnd& end, std::uint64_t expected) {
  end.Read(buffer_);
  const std::uint64_t got = sequence();
  std::uint64_t checksum;
  std::memcpy(&checksum, buffer_.data() + sizeof(got), sizeof(checksum));
  if (checksum != Checksum(payload())) {
    throw ChannelError(
        fmt::format("message {}: the checksum does not match", got));
  }
  if (got != expected && got != kStopSequence) {
    throw ChannelError(
        fmt::format("message {} arrived where {} was expected", got, expected));
  }
  return got;
}

}  // namespace concbench
