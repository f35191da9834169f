#include "concbench/shared_memory.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "concbench/process.h"
#include "name_fields.h"

namespace concbench {
namespace {

bool SegmentExists(const std::string& name) {
  return std::filesystem::exists("/dev/shm/" + name);
}

// Bytes of /dev/shm really allocated to the segment.
long long Allocated(const std::string& name) {
  struct stat status {};
  if (stat(("/dev/shm/" + name).c_str(), &status) != 0) return -1;
  return static_cast<long long>(status.st_blocks) * 512;
}

// A segment's memory is allocated at creation (a full /dev/shm fails there,
// not with SIGBUS at a touch), all of it or the part asked, and Reserve
// allocates more in steps of 1 MiB.
TEST(SharedMemoryTest, SegmentsAreAllocatedUpFront) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  SharedSegment whole(3 * kMiB);
  EXPECT_GE(Allocated(whole.name()), static_cast<long long>(3 * kMiB));
  SharedSegment partial(8 * kMiB, 4096);
  EXPECT_GE(Allocated(partial.name()), 4096);
  EXPECT_LT(Allocated(partial.name()), static_cast<long long>(kMiB));
  partial.Reserve(5000);
  EXPECT_GE(Allocated(partial.name()), static_cast<long long>(kMiB));
  EXPECT_LT(Allocated(partial.name()), static_cast<long long>(2 * kMiB));
  partial.Reserve(100 * kMiB);  // at most the segment's size
  EXPECT_EQ(Allocated(partial.name()), static_cast<long long>(8 * kMiB));
}

// A name taken by someone else fails the creation and is never removed: it
// is not this process's object.
TEST(SharedMemoryTest, ANameTakenAlreadyIsNeverRemoved) {
  const std::string first = SharedSegment(64).name();
  // The next name: the counter (field 3) plus one.
  const std::string next = WithField(
      first, 3, std::to_string(std::stoul(NameFields(first).at(3)) + 1));
  const int fd = shm_open(next.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  ASSERT_GE(fd, 0) << next;
  close(fd);
  EXPECT_ANY_THROW(SharedSegment(64));
  EXPECT_TRUE(SegmentExists(next)) << "removed someone else's object";
  shm_unlink(next.c_str());
}

TEST(SharedMemoryTest, LockedValueCountsEveryChildIncrement) {
  SharedValue<long> counter(0);
  std::vector<Process> children;
  for (int i = 0; i < 4; ++i) {
    children.emplace_back([&counter] {
      for (int n = 0; n < 1000; ++n) {
        auto lock = counter.lock();
        ++counter.value();
      }
    });
    children.back().start();
  }
  for (Process& child : children) {
    child.join();
    EXPECT_EQ(child.exitcode(), 0);
  }
  EXPECT_EQ(counter.value(), 4000);
}

TEST(SharedMemoryTest, ArrayWritesFromChildrenAreVisible) {
  SharedArray<double> squares(8, Locking::kNoLock);
  std::vector<Process> children;
  for (std::size_t i = 0; i < squares.size(); ++i) {
    children.emplace_back(
        [&squares, i] { squares[i] = static_cast<double>(i * i); });
    children.back().start();
  }
  for (Process& child : children) child.join();
  for (std::size_t i = 0; i < squares.size(); ++i) {
    EXPECT_EQ(squares[i], static_cast<double>(i * i));
  }
}

TEST(SharedMemoryTest, ValueStartsAtInitial) {
  SharedValue<int> value(200, Locking::kNoLock);
  EXPECT_EQ(value.value(), 200);
  EXPECT_FALSE(value.has_lock());
  EXPECT_THROW(value.lock(), std::logic_error);
}

TEST(SharedMemoryTest, SegmentRemovedWithOwner) {
  std::string name;
  {
    SharedArray<int> array(16);
    name = array.segment_name();
    EXPECT_TRUE(SegmentExists(name));
    EXPECT_EQ(name.rfind("concbench-", 0), 0u);
  }
  EXPECT_FALSE(SegmentExists(name));
}

TEST(SharedMemoryTest, NamesAreUnique) {
  SharedValue<int> a;
  SharedValue<int> b;
  EXPECT_NE(a.segment_name(), b.segment_name());
}

// A child creates a segment, then is interrupted: its handler must remove it.
void InterruptedOwnerRemovesSegment(int signo) {
  SharedArray<char> name_out(128, Locking::kNoLock);
  Process child([&name_out, signo] {
    SharedValue<int> value(7);
    std::strncpy(name_out.span().data(), value.segment_name().c_str(), 127);
    raise(signo);
    _exit(0);  // not reached: the handler re-raises with the default action
  });
  child.start();
  child.join();
  EXPECT_EQ(child.exitcode(), -signo);
  const std::string name(name_out.span().data());
  ASSERT_FALSE(name.empty());
  EXPECT_FALSE(SegmentExists(name)) << name;
}

TEST(SharedMemoryTest, SigintRemovesSegments) {
  InterruptedOwnerRemovesSegment(SIGINT);
}
TEST(SharedMemoryTest, AbortRemovesSegments) {
  InterruptedOwnerRemovesSegment(SIGABRT);
}

TEST(SharedMemoryTest, SigtermRemovesSegments) {
  InterruptedOwnerRemovesSegment(SIGTERM);
}

TEST(SharedMemoryTest, ExitRemovesSegments) {
  SharedArray<char> name_out(128, Locking::kNoLock);
  Process child([&name_out] {
    // exit() skips this frame's destructors: only the atexit hook removes it.
    SharedValue<int> value(1);
    std::strncpy(name_out.span().data(), value.segment_name().c_str(), 127);
    std::exit(0);
  });
  child.start();
  child.join();
  EXPECT_EQ(child.exitcode(), 0);
  EXPECT_FALSE(SegmentExists(std::string(name_out.span().data())));
}

}  // namespace
}  // namespace concbench
