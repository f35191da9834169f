// What a killed run leaves is reclaimed by the next (issue 15, item 4): a
// segment whose owner died by SIGKILL is removed; one of a live owner, one
// that names another PID namespace and one named the old way are kept.
#include "concbench/reclaim.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "concbench/process.h"
#include "concbench/result_file.h"
#include "concbench/shared_memory.h"
#include "name_fields.h"

namespace concbench {
namespace {

bool Exists(const std::string& name) {
  return std::filesystem::exists("/dev/shm/" + name);
}

void CreateObject(const std::string& name) {
  const int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  ASSERT_GE(fd, 0) << name << ": " << std::strerror(errno);
  close(fd);
}

TEST(ReclaimTest, RemovesWhatADeadOwnerLeftAndNothingElse) {
  // A child creates a segment and is killed: nothing runs to remove it.
  struct Name {
    char text[256];
  };
  SharedValue<Name> left(Name{}, Locking::kNoLock);
  Process child(
      [&left] {
        SharedSegment segment(4096);
        std::snprintf(left.value().text, sizeof(left.value().text), "%s",
                      segment.name().c_str());
        raise(SIGKILL);
      },
      "owner");
  child.start();
  ASSERT_TRUE(child.join(std::chrono::milliseconds(10000)));
  ASSERT_EQ(child.exitcode(), -SIGKILL);
  const std::string stale = left.value().text;
  ASSERT_TRUE(Exists(stale)) << stale;

  // Fields: concbench, run, pid, n, start, pidns, boot + random.
  const std::string other_namespace = WithField(stale, 5, "zz");
  const std::string old_style =
      "concbench-ctest-" + std::to_string(child.pid()) + "-999";
  CreateObject(other_namespace);
  CreateObject(old_style);
  SharedSegment live(4096);

  const std::vector<std::string> removed = ReclaimStaleObjects();
  EXPECT_FALSE(Exists(stale)) << "the dead owner's segment is still there";
  EXPECT_NE(std::find(removed.begin(), removed.end(), "/dev/shm/" + stale),
            removed.end());
  EXPECT_TRUE(Exists(live.name())) << "a live owner's segment was removed";
  EXPECT_TRUE(Exists(other_namespace)) << "another namespace's was removed";
  EXPECT_TRUE(Exists(old_style)) << "an object named otherwise was removed";
  for (const std::string& path : removed) {
    if (path != "/dev/shm/" + stale)
      std::printf("also removed %s\n", path.c_str());
  }
  shm_unlink(other_namespace.c_str());
  shm_unlink(old_style.c_str());
}

std::vector<std::string> PartialsIn(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ReclaimTest, RemovesADeadRunsPartialOfTheSameOutputOnly) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("concbench-partials-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directory(dir);
  const std::string out = dir / "out.json";
  const std::string other = dir / "other.json";
  ResultFile live(out);  // a live run's partial stays
  for (const std::string& path : {out, other}) {
    Process killed(
        [&path] {
          ResultFile file(path);
          raise(SIGKILL);
        },
        "killed-run");
    killed.start();
    ASSERT_TRUE(killed.join(std::chrono::milliseconds(10000)));
    ASSERT_EQ(killed.exitcode(), -SIGKILL);
  }
  ASSERT_EQ(PartialsIn(dir).size(), 3u);

  const std::vector<std::string> removed = ReclaimStalePartials(out);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_TRUE(removed.front().starts_with(out + ".concbench-"))
      << removed.front();
  const std::vector<std::string> left = PartialsIn(dir);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(dir / left[1], live.partial_path()) << "the live run's partial";
  EXPECT_TRUE(left[0].starts_with("other.json.")) << "another output's";
  std::filesystem::remove(dir / left[0]);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace concbench
