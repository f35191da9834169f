// The manager's handshake and bounds: every refusal (wrong key, no key, a
// request before authentication, a frame too long or malformed, silence, one
// client too many, a full list or dictionary) over the Unix socket and TCP,
// each within a generous deadline and each beside an authenticated client
// that must keep being served.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "concbench/manager.h"

namespace concbench {

// Test names and failures say "unix" or "tcp".
void PrintTo(Transport transport, std::ostream* out) {
  *out << (transport == Transport::kTcp ? "tcp" : "unix");
}

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Far beyond any wait the protocol has (the 2 s authentication deadline):
// only a server that never answers misses it.
constexpr milliseconds kGenerous{20'000};

int ConnectTo(Transport transport, const std::string& address) {
  if (transport == Transport::kUnix) {
    sockaddr_un unix_address{};
    unix_address.sun_family = AF_UNIX;
    std::snprintf(unix_address.sun_path, sizeof(unix_address.sun_path), "%s",
                  address.c_str());
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&unix_address),
                sizeof(unix_address)) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  }
  const auto colon = address.rfind(':');
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (getaddrinfo(address.substr(0, colon).c_str(),
                  address.substr(colon + 1).c_str(), &hints, &list) != 0)
    return -1;
  const int fd = socket(list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int status = connect(fd, list->ai_addr, list->ai_addrlen);
  freeaddrinfo(list);
  if (status != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// A connection that speaks raw bytes: what a client without the key, or a
// broken one, sends.
class Raw {
 public:
  Raw(const Manager& manager, Transport transport)
      : fd_(ConnectTo(transport, manager.address(transport))) {}
  ~Raw() {
    if (fd_ >= 0) close(fd_);
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  bool connected() const { return fd_ >= 0; }

  void Send(const std::string& bytes) {
    // A server that closed early may reset the rest: what it replied counts.
    send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  // The next line without '\n'; nullopt at end of file, an error or `limit`.
  std::optional<std::string> Line(milliseconds limit = kGenerous) {
    const auto until = Clock::now() + limit;
    for (;;) {
      const auto newline = pending_.find('\n');
      if (newline != std::string::npos) {
        std::string line = pending_.substr(0, newline);
        pending_.erase(0, newline + 1);
        return line;
      }
      if (!Fill(until)) return std::nullopt;
    }
  }

  // Whether the server closes the connection before `limit`.
  bool Closed(milliseconds limit = kGenerous) {
    const auto until = Clock::now() + limit;
    while (Fill(until)) pending_.clear();
    return eof_;
  }

 private:
  // Reads what arrives before `until`; false at end of file, error or time.
  bool Fill(Clock::time_point until) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(until - Clock::now());
      if (left.count() <= 0) return false;
      pollfd item{fd_, POLLIN, 0};
      if (poll(&item, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        eof_ = true;
        return false;
      }
      pending_.append(buffer, static_cast<std::size_t>(n));
      return true;
    }
  }

  int fd_;
  std::string pending_;
  bool eof_ = false;
};

// HMAC-SHA256 in hex, computed here with OpenSSL directly: the wire format
// is checked against an implementation other than the harness's.
std::string HexDigest(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       digest, &size);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i)
    hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string FromHex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

ManagerOptions WithTcp(ManagerLimits limits = {}) {
  return {.tcp_address = "127.0.0.1:0", .limits = limits};
}

const char* TransportName(Transport transport) {
  return transport == Transport::kTcp ? "tcp" : "unix";
}

class ManagerAuthTest : public testing::TestWithParam<Transport> {
 protected:
  ManagerAuthTest() : manager_(WithTcp()), good_(manager_, GetParam()) {
    good_.append(7);
  }

  // The authenticated client is served as before.
  void ExpectGoodClientServed() {
    EXPECT_EQ(good_.get(0), 7);
    const std::int64_t length = good_.len();
    EXPECT_EQ(good_.append(8), length + 1);
  }

  // A raw connection that read the server's challenge.
  std::unique_ptr<Raw> Challenged() {
    auto raw = std::make_unique<Raw>(manager_, GetParam());
    EXPECT_TRUE(raw->connected());
    const auto challenge = raw->Line();
    EXPECT_TRUE(challenge && challenge->starts_with("CHALLENGE sha256 "))
        << challenge.value_or("(nothing)");
    return raw;
  }

  // `raw` gets one "ERR" line containing `reason`, then end of file.
  void ExpectRefused(Raw& raw, const std::string& reason) {
    const auto line = raw.Line();
    ASSERT_TRUE(line) << "no refusal within " << kGenerous.count() << " ms";
    EXPECT_TRUE(line->starts_with("ERR ")) << *line;
    EXPECT_NE(line->find(reason), std::string::npos) << *line;
    EXPECT_TRUE(raw.Closed()) << "the connection stayed open";
  }

  Manager manager_;
  ManagerClient good_;
};

TEST_P(ManagerAuthTest, RightKeyIsServed) {
  ManagerClient other(manager_, GetParam());
  EXPECT_EQ(other.get(0), 7);
  ExpectGoodClientServed();
}

TEST_P(ManagerAuthTest, WrongKeyIsRefused) {
  try {
    ManagerClient wrong(GetParam(), manager_.address(GetParam()), "not it");
    FAIL() << "a wrong key was accepted";
  } catch (const ManagerError& error) {
    EXPECT_NE(std::string(error.what()).find("wrong key"), std::string::npos)
        << error.what();
  }
  auto raw = Challenged();
  raw->Send("AUTH " + std::string(64, '0') + "\n");
  ExpectRefused(*raw, "authentication failed (wrong key)");
  ExpectGoodClientServed();
}

// The handshake as the README states it, by hand: the answer is
// HMAC-SHA256(key, nonce) in hex, and so is the server's answer to ours.
TEST_P(ManagerAuthTest, HandshakeOnTheWire) {
  const std::string key = manager_.authkey();
  const std::string prefix = "CHALLENGE sha256 ";
  // An answer to the challenge a fresh connection receives.
  auto answer = [&](Raw& raw) {
    const auto challenge = raw.Line();
    EXPECT_TRUE(challenge && challenge->size() == prefix.size() + 64)
        << challenge.value_or("(nothing)");
    return "AUTH " + HexDigest(key, FromHex(challenge->substr(prefix.size()))) +
           "\n";
  };
  Raw full(manager_, GetParam());
  full.Send(answer(full));
  EXPECT_EQ(full.Line(), "WELCOME");
  std::string nonce_hex;
  for (int i = 0; i < 32; ++i) nonce_hex += "5a";
  full.Send(prefix + nonce_hex + "\n");
  EXPECT_EQ(full.Line(), "AUTH " + HexDigest(key, std::string(32, '\x5a')));
  full.Send("len\n");
  EXPECT_EQ(full.Line(), "OK 1");
  // Welcomed, then a request instead of its own challenge: refused.
  Raw half(manager_, GetParam());
  half.Send(answer(half));
  EXPECT_EQ(half.Line(), "WELCOME");
  half.Send("append 2\n");
  ExpectRefused(half, "not authenticated");
  EXPECT_EQ(good_.len(), 1) << "the refused request was served";
  ExpectGoodClientServed();
}

TEST_P(ManagerAuthTest, RequestBeforeAuthenticationIsRefused) {
  auto raw = Challenged();
  raw->Send("append 1\n");
  ExpectRefused(*raw, "not authenticated");
  EXPECT_EQ(good_.len(), 1) << "the refused request was served";
  ExpectGoodClientServed();
}

TEST_P(ManagerAuthTest, SilentClientIsRefusedAtTheDeadline) {
  auto raw = Challenged();
  // Served while the silent one waits.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(good_.get(0), 7);
  ExpectRefused(*raw, "authentication timed out (deadline 2000 ms)");
  ExpectGoodClientServed();
}

TEST_P(ManagerAuthTest, ClientThatNeverReadsIsRefusedAtTheDeadline) {
  Raw raw(manager_, GetParam());
  ASSERT_TRUE(raw.connected());
  EXPECT_TRUE(raw.Closed()) << "a silent connection stayed open";
  ExpectGoodClientServed();
}

TEST_P(ManagerAuthTest, OversizedFrameIsRefused) {
  auto raw = Challenged();
  raw->Send(std::string(10'000, 'x') + "\n");
  ExpectRefused(*raw, "frame too long (max 4096 bytes)");
  // Authenticated, the same bound: the reason, then the connection closes.
  ManagerClient flood(manager_, GetParam());
  const std::string reply = flood.Request(std::string(5000, '1'));
  EXPECT_EQ(reply, "ERR frame too long (max 4096 bytes)");
  EXPECT_THROW(flood.len(), ManagerError);
  ExpectGoodClientServed();
}

TEST_P(ManagerAuthTest, MalformedFramesAreRefused) {
  auto bad_digest = Challenged();
  bad_digest->Send("AUTH xyz\n");
  ExpectRefused(*bad_digest, "malformed frame (AUTH takes 64 hex digits)");
  auto binary = Challenged();
  binary->Send(std::string("AUTH \x01\x02\xff", 8) + "\n");
  ExpectRefused(*binary, "malformed frame (expected one line of printable");
  ManagerClient client(manager_, GetParam());
  EXPECT_EQ(client.Request(std::string("len\0", 4)),
            "ERR malformed frame (expected one line of printable ASCII)");
  EXPECT_THROW(client.len(), ManagerError);
  ExpectGoodClientServed();
}

INSTANTIATE_TEST_SUITE_P(Transports, ManagerAuthTest,
                         testing::Values(Transport::kUnix, Transport::kTcp),
                         [](const testing::TestParamInfo<Transport>& info) {
                           return std::string(TransportName(info.param));
                         });

TEST(ManagerAuthBoundsTest, TooManyClientsAreRefused) {
  Manager manager(WithTcp({.max_clients = 2}));
  ManagerClient first(manager, Transport::kUnix);
  auto second = std::make_optional<ManagerClient>(manager, Transport::kTcp);
  try {
    ManagerClient third(manager, Transport::kTcp);
    FAIL() << "a third client was served";
  } catch (const ManagerError& error) {
    EXPECT_NE(std::string(error.what()).find("too many clients (max 2)"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(first.append(1), 1);
  EXPECT_EQ(second->len(), 1);
  // A slot freed is a slot to take (once the server saw the close).
  second.reset();
  const auto until = Clock::now() + kGenerous;
  for (;;) {
    try {
      ManagerClient again(manager, Transport::kUnix);
      EXPECT_EQ(again.len(), 1);
      break;
    } catch (const ManagerError&) {
      ASSERT_LT(Clock::now(), until) << "the freed slot never came back";
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
}

TEST(ManagerAuthBoundsTest, FullListAndDictAreRefusedAndServingGoesOn) {
  Manager manager(WithTcp({.max_list = 3, .max_dict = 2}));
  ManagerClient client(manager, Transport::kTcp);
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(client.append(i), i);
  EXPECT_EQ(client.Request("append 4"), "ERR list full (max 3 items)");
  client.set(1, 10);
  client.set(2, 20);
  client.set(2, 21);  // an existing key still takes a value
  EXPECT_EQ(client.Request("set 3 30"), "ERR dict full (max 2 keys)");
  EXPECT_EQ(client.len(), 3);
  EXPECT_EQ(client.lookup(2), 21);
}

TEST(ManagerAuthKeyTest, GivenKeyOverTcpAndUnixSharesOneList) {
  std::string path;
  {
    Manager manager(
        {.tcp_address = "127.0.0.1:0", .authkey = std::string("s\0cret", 6)});
    path = manager.socket_path();
    EXPECT_TRUE(manager.tcp_address().starts_with("127.0.0.1:"));
    EXPECT_NE(manager.tcp_address(), "127.0.0.1:0");
    ManagerClient tcp(Transport::kTcp, manager.tcp_address(),
                      std::string("s\0cret", 6));
    ManagerClient unix_client(Transport::kUnix, path,
                              std::string("s\0cret", 6));
    EXPECT_EQ(tcp.append(5), 1);
    EXPECT_EQ(unix_client.get(0), 5);
    EXPECT_THROW(ManagerClient(Transport::kTcp, manager.tcp_address(), "s"),
                 ManagerError);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ManagerAuthKeyTest, GeneratedKeysDiffer) {
  Manager a;
  Manager b;
  EXPECT_GE(a.authkey().size(), 32u);
  EXPECT_NE(a.authkey(), b.authkey());
  EXPECT_THROW(ManagerClient(Transport::kUnix, a.socket_path(), b.authkey()),
               ManagerError);
}

TEST(ManagerAuthKeyTest, BadTcpAddressThrowsAndLeavesNoSocket) {
  EXPECT_THROW(Manager({.tcp_address = "no port"}), std::invalid_argument);
  EXPECT_THROW(Manager({.tcp_address = "127.0.0.1:notaport"}),
               std::invalid_argument);
}

// Mutual authentication: a "server" that welcomes any answer but cannot
// answer the client's challenge is refused by the client.
TEST(ManagerAuthKeyTest, ClientRefusesAServerWithoutTheKey) {
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("concbench-test-fake-manager-" + std::to_string(getpid()) + ".sock"))
          .string();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(bind(listener, reinterpret_cast<const sockaddr*>(&address),
                 sizeof(address)),
            0);
  ASSERT_EQ(listen(listener, 1), 0);
  std::thread fake([listener] {
    const int fd = accept(listener, nullptr, nullptr);
    auto say = [fd](const std::string& line) {
      send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    };
    auto hear = [fd] {  // one line, byte by byte: the test's lines are short
      std::string line;
      char c = 0;
      while (recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
      return line;
    };
    say("CHALLENGE sha256 " + std::string(64, '0') + "\n");
    hear();
    say("WELCOME\n");
    hear();
    say("AUTH " + std::string(64, 'a') + "\n");
    hear();  // until the client closes
    close(fd);
  });
  try {
    ManagerClient client(Transport::kUnix, path, "key", kGenerous);
    ADD_FAILURE() << "the client trusted a server without the key";
  } catch (const ManagerError& error) {
    EXPECT_NE(std::string(error.what()).find("failed to prove"),
              std::string::npos)
        << error.what();
  }
  fake.join();
  close(listener);
  unlink(path.c_str());
}

}  // namespace
}  // namespace concbench
