// The manager's authentication, in the manner of Python's
// multiprocessing.connection (deliver_challenge / answer_challenge): each
// side proves that it holds the shared key by returning HMAC-SHA256(key,
// nonce) for a fresh random nonce the other side sent, so the key itself
// never crosses the connection. Frames are lines:
//   "CHALLENGE sha256 <nonce, hex>"  ->  "AUTH <HMAC-SHA256, hex>"
// The key is bytes; nothing here logs it or puts it in a message.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace concbench::internal {

// Random bytes for nonces (Python uses 40; 32 is SHA-256's own size).
constexpr std::size_t kNonceBytes = 32;
// A key a Manager generates when it is given none.
constexpr std::size_t kGeneratedKeyBytes = 32;

// `count` bytes from OpenSSL's RAND_bytes; throws std::runtime_error if the
// generator fails.
std::string RandomBytes(std::size_t count);

// A new nonce and the challenge line that carries it (without '\n').
struct Challenge {
  std::string nonce;
  std::string line;
};
Challenge NewChallenge();

// The nonce of a challenge line; nullopt if `line` is not one.
std::optional<std::string> ParseChallenge(std::string_view line);

// The answer line to the challenge `nonce` under `key` (without '\n').
std::string AnswerLine(std::string_view key, std::string_view nonce);

// Whether `line` starts like an answer ("AUTH "), however malformed.
bool IsAnswer(std::string_view line);

// The answer's verdict: the right digest, a wrong one, or no digest at all.
enum class AnswerCheck { kRight, kWrong, kMalformed };
// Compares the digest in `line` with HMAC-SHA256(key, nonce) in constant
// time (CRYPTO_memcmp).
AnswerCheck CheckAnswer(std::string_view line, std::string_view key,
                        std::string_view nonce);

}  // namespace concbench::internal
