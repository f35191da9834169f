#include "manager_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace concbench::internal {
namespace {

constexpr std::string_view kChallengePrefix = "CHALLENGE sha256 ";
constexpr std::string_view kAnswerPrefix = "AUTH ";
constexpr std::size_t kDigestBytes = 32;  // SHA-256

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Exactly `bytes` bytes in lowercase hex, or nullopt.
std::optional<std::string> FromHex(std::string_view hex, std::size_t bytes) {
  if (hex.size() != 2 * bytes) return std::nullopt;
  std::string out(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) {
    const int high = HexDigit(hex[2 * i]);
    const int low = HexDigit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<char>(high << 4 | low);
  }
  return out;
}

std::string Digest(std::string_view key, std::string_view nonce) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size(),
           digest, &size) == nullptr ||
      size != kDigestBytes) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

std::string RandomBytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(count)) != 1) {
    throw std::runtime_error("RAND_bytes failed: no random bytes for a nonce");
  }
  return out;
}

Challenge NewChallenge() {
  Challenge challenge{RandomBytes(kNonceBytes), {}};
  challenge.line = std::string(kChallengePrefix) + Hex(challenge.nonce);
  return challenge;
}

std::optional<std::string> ParseChallenge(std::string_view line) {
  if (!line.starts_with(kChallengePrefix)) return std::nullopt;
  return FromHex(line.substr(kChallengePrefix.size()), kNonceBytes);
}

std::string AnswerLine(std::string_view key, std::string_view nonce) {
  return std::string(kAnswerPrefix) + Hex(Digest(key, nonce));
}

bool IsAnswer(std::string_view line) { return line.starts_with(kAnswerPrefix); }

AnswerCheck CheckAnswer(std::string_view line, std::string_view key,
                        std::string_view nonce) {
  if (!IsAnswer(line)) return AnswerCheck::kMalformed;
  const auto got = FromHex(line.substr(kAnswerPrefix.size()), kDigestBytes);
  if (!got) return AnswerCheck::kMalformed;
  const std::string expected = Digest(key, nonce);
  return CRYPTO_memcmp(got->data(), expected.data(), kDigestBytes) == 0
             ? AnswerCheck::kRight
             : AnswerCheck::kWrong;
}

}  // namespace concbench::internal
