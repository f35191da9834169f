// The manager's server: one Boost.Asio loop on one thread serving every
// client connection, Unix and TCP alike, so the list and the dictionary need
// no lock (as in Python's manager, every request is a round trip to this
// process). A connection is served only after the handshake (manager_auth.h):
//   server: CHALLENGE sha256 <nonce>     client: AUTH <digest>
//   server: WELCOME                      client: CHALLENGE sha256 <nonce>
//   server: AUTH <digest>                then requests, one line each.
// Whatever breaks the protocol (a wrong key, a request before the handshake,
// a frame too long or not printable, silence past the deadline, one client
// too many) gets one "ERR <reason>" line and its connection closed; other
// connections never notice.
#include "manager_server.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <vector>

#include "manager_auth.h"
#include "manager_state.h"

namespace concbench::internal {
namespace {

namespace asio = boost::asio;
using Generic = asio::generic::stream_protocol;
using Acceptor = asio::basic_socket_acceptor<Generic>;
using boost::system::error_code;

// How long a refused connection may still send before it is closed: its
// refusal is written and the sending side shut first, so a client that
// reads sees the reason, not a reset.
constexpr std::chrono::milliseconds kLinger{1000};

// What every session of one server shares.
struct Shared {
  ManagerState state;
  std::string authkey;
  ManagerLimits limits;
  std::size_t clients = 0;  // open connections, refused ones included
};

bool Printable(const std::string& line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f; });
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Generic::socket socket, Shared& shared)
      : socket_(std::move(socket)),
        buffer_(shared.limits.max_frame),
        deadline_(socket_.get_executor()),
        shared_(shared) {
    ++shared_.clients;
  }
  ~Session() { --shared_.clients; }

  void Start() {
    if (shared_.clients > shared_.limits.max_clients) {
      Refuse(
          fmt::format("too many clients (max {})", shared_.limits.max_clients));
      return;
    }
    deadline_.expires_after(shared_.limits.auth_deadline);
    deadline_.async_wait([self = shared_from_this()](error_code error) {
      if (!error && self->phase_ != Phase::kServing) {
        self->Refuse(fmt::format("authentication timed out (deadline {} ms)",
                                 self->shared_.limits.auth_deadline.count()));
      }
    });
    challenge_ = NewChallenge();
    Write(challenge_.line + "\n");
  }

 private:
  enum class Phase { kChallenged, kWelcomed, kServing };

  void Read() {
    asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](error_code error, std::size_t size) {
          self->OnRead(error, size);
        });
  }

  void OnRead(error_code error, std::size_t size) {
    if (closing_) return;
    if (error == asio::error::not_found) {
      Refuse(fmt::format("frame too long (max {} bytes)",
                         shared_.limits.max_frame));
      return;
    }
    if (error) {  // the client went away
      deadline_.cancel();
      return;
    }
    std::string line(asio::buffers_begin(buffer_.data()),
                     asio::buffers_begin(buffer_.data()) +
                         static_cast<std::ptrdiff_t>(size) - 1);
    buffer_.consume(size);
    if (!Printable(line)) {
      Refuse("malformed frame (expected one line of printable ASCII)");
      return;
    }
    switch (phase_) {
      case Phase::kChallenged:
        return OnAnswer(line);
      case Phase::kWelcomed:
        return OnChallenge(line);
      case Phase::kServing:
        return Write(shared_.state.Handle(line));
    }
  }

  // The client's answer to the server's challenge.
  void OnAnswer(const std::string& line) {
    if (!IsAnswer(line)) {
      Refuse(
          "not authenticated (answer the challenge with AUTH <hex "
          "HMAC-SHA256> before any request)");
      return;
    }
    switch (CheckAnswer(line, shared_.authkey, challenge_.nonce)) {
      case AnswerCheck::kRight:
        phase_ = Phase::kWelcomed;
        return Write("WELCOME\n");
      case AnswerCheck::kWrong:
        return Refuse("authentication failed (wrong key)");
      case AnswerCheck::kMalformed:
        return Refuse("malformed frame (AUTH takes 64 hex digits)");
    }
  }

  // The client's challenge to the server (mutual authentication).
  void OnChallenge(const std::string& line) {
    const auto nonce = ParseChallenge(line);
    if (!nonce) {
      Refuse(
          "not authenticated (send CHALLENGE sha256 <64 hex digits> "
          "before any request)");
      return;
    }
    phase_ = Phase::kServing;
    deadline_.cancel();
    Write(AnswerLine(shared_.authkey, *nonce) + "\n");
  }

  // Writes `text`, then reads the next line.
  void Write(std::string text) {
    reply_ = std::move(text);
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(reply_),
        [self = shared_from_this()](error_code error, std::size_t) {
          self->writing_ = false;
          if (self->closing_) return self->SendRefusal();
          if (!error)
            self->Read();
          else
            self->deadline_.cancel();
        });
  }

  // One "ERR <reason>" line, then the connection closes. A read or write in
  // flight (the deadline fired) is cancelled first; its handler sends it.
  void Refuse(const std::string& reason) {
    if (closing_) return;
    closing_ = true;
    refusal_ = "ERR " + reason + "\n";
    error_code ignored;
    socket_.cancel(ignored);
    if (!writing_) SendRefusal();
  }

  void SendRefusal() {
    asio::async_write(socket_, asio::buffer(refusal_),
                      [self = shared_from_this()](error_code, std::size_t) {
                        error_code ignored;
                        self->socket_.shutdown(Generic::socket::shutdown_send,
                                               ignored);
                        self->deadline_.expires_after(kLinger);
                        self->deadline_.async_wait([self](error_code) {
                          error_code ignored_too;
                          self->socket_.close(ignored_too);
                        });
                        self->Drain();
                      });
  }

  // Discards what the refused client still sends until it closes.
  void Drain() {
    socket_.async_read_some(
        asio::buffer(drain_),
        [self = shared_from_this()](error_code error, std::size_t) {
          if (!error) return self->Drain();
          self->deadline_.cancel();
        });
  }

  Generic::socket socket_;
  asio::streambuf buffer_;
  asio::steady_timer deadline_;
  Shared& shared_;
  Challenge challenge_;
  Phase phase_ = Phase::kChallenged;
  std::string reply_;
  std::string refusal_;
  bool writing_ = false;
  bool closing_ = false;
  std::array<char, 4096> drain_;
};

class Server {
 public:
  explicit Server(const ManagerServerConfig& config)
      : shared_{ManagerState(config.limits), config.authkey, config.limits},
        owner_(io_, config.owner_fd) {
    Listen(config.unix_fd, false);
    if (config.tcp_fd >= 0) Listen(config.tcp_fd, true);
  }

  void Run() {
    for (std::size_t i = 0; i < acceptors_.size(); ++i) Accept(i);
    // The owner holds the pipe's write end: readable means it closed it or
    // died: either way the server's time is over.
    owner_.async_wait(asio::posix::descriptor_base::wait_read,
                      [this](error_code) { io_.stop(); });
    io_.run();
  }

 private:
  void Listen(int fd, bool tcp) {
    int family = AF_UNIX;
    socklen_t size = sizeof(family);
    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &size);
    acceptors_.push_back(std::make_unique<Acceptor>(
        io_, Generic(family, tcp ? IPPROTO_TCP : 0), fd));
    tcp_.push_back(tcp);
  }

  void Accept(std::size_t index) {
    acceptors_[index]->async_accept(
        [this, index](error_code error, Generic::socket socket) {
          if (!error) {
            if (tcp_[index]) {
              error_code ignored;
              socket.set_option(asio::ip::tcp::no_delay(true), ignored);
            }
            std::make_shared<Session>(std::move(socket), shared_)->Start();
          }
          Accept(index);
        });
  }

  // Declared before the loop: sessions the loop still holds at its
  // destruction count themselves out of `shared_`.
  Shared shared_;
  asio::io_context io_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::vector<bool> tcp_;
  asio::posix::stream_descriptor owner_;
};

}  // namespace

void RunManagerServer(const ManagerServerConfig& config) {
  {
    Server server(config);
    server.Run();
  }
  // The owner may be gone (SIGKILL) and unable to remove the socket file.
  unlink(config.socket_path.c_str());
}

}  // namespace concbench::internal
