// message_queue: Boost.Interprocess's named message queue, one per
// direction. Each lives in /dev/shm/<name>; an OwnedName removes it with the
// channel, on a signal or at exit.
#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <memory>

#include "chunked_end.h"
#include "concbench/cleanup.h"
#include "concbench/deadline.h"
#include "create_only.h"
#include "shm_reserve.h"

namespace concbench::internal {
namespace {

namespace bip = boost::interprocess;

constexpr std::size_t kMaxMessage = std::size_t{64} << 10;
constexpr std::size_t kMessages = 16;

// Boost's create_only, once /dev/shm has room for the queue: its
// constructor touches the queue's memory before ReserveWhole can allocate it.
bip::create_only_t CreateOnlyWithRoom(const std::string& name) {
  RequireFree(name, kMessages * kMaxMessage);
  return bip::create_only;
}

// Its memory is allocated at creation: a full /dev/shm is an error here,
// never a SIGBUS in a send.
class NamedQueue {
 public:
  NamedQueue()
      : name_(NameKind::kSharedMemory), queue_(CreateOnly(name_, [this] {
          return bip::message_queue(CreateOnlyWithRoom(name_.str()),
                                    name_.c_str(), kMessages, kMaxMessage);
        })) {
    ReserveWhole(name_.str());
  }
  bip::message_queue& get() { return queue_; }

 private:
  OwnedName name_;  // declared first: removed after the queue is closed
  bip::message_queue queue_;
};

boost::posix_time::ptime SliceEnd() {
  return UtcDeadlineAfter(std::chrono::milliseconds(10));
}

class MessageQueueEnd : public ChunkedEnd {
 public:
  MessageQueueEnd(bip::message_queue& out, bip::message_queue& in)
      : ChunkedEnd(kMaxMessage), out_(out), in_(in) {}

 protected:
  bool TrySend(std::span<const std::byte> piece) override {
    return out_.timed_send(piece.data(), piece.size(), 0, SliceEnd());
  }
  std::optional<std::size_t> TryReceive(std::span<std::byte> into) override {
    bip::message_queue::size_type size = 0;
    unsigned priority = 0;
    if (!in_.timed_receive(into.data(), into.size(), size, priority,
                           SliceEnd()))
      return std::nullopt;
    return static_cast<std::size_t>(size);
  }

 private:
  bip::message_queue& out_;
  bip::message_queue& in_;
};

class MessageQueueChannel : public Channel {
 public:
  MessageQueueChannel()
      : ends_{MessageQueueEnd(forward_.get(), backward_.get()),
              MessageQueueEnd(backward_.get(), forward_.get())} {}
  ChannelEnd& end(int side) override { return ends_[side]; }

 private:
  NamedQueue forward_;   // side 0 to side 1
  NamedQueue backward_;  // side 1 to side 0
  MessageQueueEnd ends_[2];
};

}  // namespace

std::unique_ptr<Channel> MakeMessageQueueChannel() {
  return std::make_unique<MessageQueueChannel>();
}

}  // namespace concbench::internal
