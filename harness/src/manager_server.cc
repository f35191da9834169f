// The manager's server: one Boost.Asio loop on one thread serving every
// client connection, so the list and the dictionary need no lock (as in
// Python's manager, every request is a round trip to this process).
#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "concbench/manager.h"

namespace concbench::internal {
namespace {

namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

// A longer request is refused and its connection closed: no client can make
// the server buffer without bound.
constexpr std::size_t kMaxLine = 4096;

class State {
 public:
  // Answers one request line; never throws.
  std::string Handle(const std::string& line) {
    std::istringstream in(line);
    std::string op;
    in >> op;
    std::int64_t a = 0;
    std::int64_t b = 0;
    auto args = [&](int count) {
      if (count >= 1 && !(in >> a)) return false;
      if (count >= 2 && !(in >> b)) return false;
      std::string extra;
      return !(in >> extra);
    };
    if (op == "append" && args(1)) {
      list_.push_back(a);
      return fmt::format("OK {}\n", list_.size());
    }
    if (op == "get" && args(1)) {
      if (a < 0 || static_cast<std::size_t>(a) >= list_.size())
        return fmt::format("ERR index {} out of range\n", a);
      return fmt::format("OK {}\n", list_[static_cast<std::size_t>(a)]);
    }
    if (op == "len" && args(0)) return fmt::format("OK {}\n", list_.size());
    if (op == "set" && args(2)) {
      dict_[a] = b;
      return "OK\n";
    }
    if (op == "lookup" && args(1)) {
      const auto found = dict_.find(a);
      if (found == dict_.end()) return fmt::format("ERR no key {}\n", a);
      return fmt::format("OK {}\n", found->second);
    }
    return "ERR malformed request\n";
  }

 private:
  std::vector<std::int64_t> list_;
  std::unordered_map<std::int64_t, std::int64_t> dict_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Local::socket socket, State& state)
      : socket_(std::move(socket)), buffer_(kMaxLine), state_(state) {}

  void Read() {
    asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](boost::system::error_code error,
                                    std::size_t size) {
          if (error == asio::error::not_found) {
            self->reply_ = "ERR request too long\n";
            asio::async_write(
                self->socket_, asio::buffer(self->reply_),
                [self](boost::system::error_code, std::size_t) {});
            return;
          }
          if (error) return;  // the client went away
          std::string line(asio::buffers_begin(self->buffer_.data()),
                           asio::buffers_begin(self->buffer_.data()) +
                               static_cast<std::ptrdiff_t>(size) - 1);
          self->buffer_.consume(size);
          self->reply_ = self->state_.Handle(line);
          asio::async_write(
              self->socket_, asio::buffer(self->reply_),
              [self](boost::system::error_code write_error, std::size_t) {
                if (!write_error) self->Read();
              });
        });
  }

 private:
  Local::socket socket_;
  asio::streambuf buffer_;
  std::string reply_;
  State& state_;
};

class Server {
 public:
  Server(int listen_fd, int owner_fd)
      : acceptor_(io_, Local(), listen_fd), owner_(io_, owner_fd) {}

  void Run() {
    Accept();
    // The owner holds the pipe's write end; readable means it closed it or
    // died: either way the server's time is over.
    owner_.async_wait(asio::posix::descriptor_base::wait_read,
                      [this](boost::system::error_code) { io_.stop(); });
    io_.run();
  }

 private:
  void Accept() {
    acceptor_.async_accept(
        [this](boost::system::error_code error, Local::socket socket) {
          if (!error)
            std::make_shared<Session>(std::move(socket), state_)->Read();
          Accept();
        });
  }

  asio::io_context io_;
  Local::acceptor acceptor_;
  asio::posix::stream_descriptor owner_;
  State state_;
};

}  // namespace

void RunManagerServer(int listen_fd, const std::string& socket_path,
                      int owner_fd) {
  {
    Server server(listen_fd, owner_fd);
    server.Run();
  }
  // The owner may be gone (SIGKILL) and unable to remove the socket file.
  unlink(socket_path.c_str());
}

}  // namespace concbench::internal
