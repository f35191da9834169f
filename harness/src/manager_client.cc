#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "concbench/manager.h"
#include "manager_auth.h"
#include "manager_socket.h"

namespace concbench {
namespace {

using Clock = std::chrono::steady_clock;

// The longest reply line a client accepts: a server's replies are short.
const std::size_t kMaxReply = ManagerLimits{}.max_frame;

bool IsRefusal(const std::string& line) { return line.starts_with("ERR"); }

}  // namespace

ManagerClient::ManagerClient(Transport transport, const std::string& address,
                             std::string_view authkey,
                             std::chrono::milliseconds stall_limit)
    : stall_limit_(stall_limit) {
  try {
    fd_ = transport == Transport::kTcp
              ? internal::ConnectTcp(address, stall_limit)
              : internal::ConnectUnix(address, stall_limit);
  } catch (const std::exception& error) {
    throw ManagerError(fmt::format("cannot reach the manager at {}: {}",
                                   address, error.what()));
  }
  try {
    Authenticate(authkey);
  } catch (...) {
    close(fd_);
    throw;
  }
}

ManagerClient::ManagerClient(const Manager& manager, Transport transport,
                             std::chrono::milliseconds stall_limit)
    : ManagerClient(transport, manager.address(transport), manager.authkey(),
                    stall_limit) {}

ManagerClient::~ManagerClient() { close(fd_); }

// The client's half of the handshake: answer the server's challenge, then
// challenge the server (Python's answer_challenge, then deliver_challenge).
void ManagerClient::Authenticate(std::string_view authkey) {
  const std::string challenge = ReadLine();
  const auto nonce = internal::ParseChallenge(challenge);
  if (!nonce) {
    throw ManagerError(
        IsRefusal(challenge)
            ? "the manager refused the connection: " + challenge
            : "the manager sent no challenge (is it a concbench manager?)");
  }
  const std::string verdict = Request(internal::AnswerLine(authkey, *nonce));
  if (verdict != "WELCOME")
    throw ManagerError("the manager refused the key: " + verdict);
  const internal::Challenge mine = internal::NewChallenge();
  const std::string answer = Request(mine.line);
  if (internal::CheckAnswer(answer, authkey, mine.nonce) !=
      internal::AnswerCheck::kRight) {
    throw ManagerError(
        IsRefusal(answer)
            ? "the manager refused the connection: " + answer
            : "the manager failed to prove that it holds the key");
  }
}

void ManagerClient::Send(const std::string& line) {
  const std::string request = line + "\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n =
        send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ManagerError(fmt::format("send: {}", strerror(errno)));
    sent += static_cast<std::size_t>(n);
  }
}

std::string ManagerClient::ReadLine() {
  // Polls in slices: a dead or stuck server ends in an error, not a hang.
  const auto since = Clock::now();
  for (;;) {
    const std::size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string reply = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return reply;
    }
    if (pending_.size() > kMaxReply) {
      throw ManagerError(
          fmt::format("the manager's reply exceeds {} bytes", kMaxReply));
    }
    pollfd item{fd_, POLLIN, 0};
    if (poll(&item, 1, 10) > 0) {
      char buffer[4096];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0) throw ManagerError("the manager closed the connection");
      if (n < 0 && errno != EINTR && errno != EAGAIN)
        throw ManagerError(fmt::format("recv: {}", strerror(errno)));
      if (n > 0) pending_.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (Clock::now() - since > stall_limit_) {
      throw ManagerError(fmt::format("no reply from the manager within {} ms",
                                     stall_limit_.count()));
    }
  }
}

std::string ManagerClient::Request(const std::string& line) {
  Send(line);
  return ReadLine();
}

std::int64_t ManagerClient::Value(const std::string& line) {
  const std::string reply = Request(line);
  if (reply.rfind("OK", 0) != 0) throw ManagerError(reply);
  return reply.size() > 3 ? std::stoll(reply.substr(3)) : 0;
}

std::int64_t ManagerClient::append(std::int64_t value) {
  return Value(fmt::format("append {}", value));
}
std::int64_t ManagerClient::get(std::int64_t index) {
  return Value(fmt::format("get {}", index));
}
std::int64_t ManagerClient::len() { return Value("len"); }
void ManagerClient::set(std::int64_t key, std::int64_t value) {
  Value(fmt::format("set {} {}", key, value));
}
std::int64_t ManagerClient::lookup(std::int64_t key) {
  return Value(fmt::format("lookup {}", key));
}

}  // namespace concbench
