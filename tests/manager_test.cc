#include "concbench/manager.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "concbench/process.h"
#include "concbench/shared_memory.h"

namespace concbench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST(ManagerTest, ListAndDictRequests) {
  Manager manager;
  ManagerClient client(manager);
  EXPECT_EQ(client.len(), 0);
  EXPECT_EQ(client.append(10), 1);
  EXPECT_EQ(client.append(-20), 2);
  EXPECT_EQ(client.get(0), 10);
  EXPECT_EQ(client.get(1), -20);
  EXPECT_EQ(client.len(), 2);
  client.set(7, 49);
  client.set(7, 50);
  EXPECT_EQ(client.lookup(7), 50);
  EXPECT_THROW(client.get(2), ManagerError);
  EXPECT_THROW(client.lookup(8), ManagerError);
}

TEST(ManagerTest, MalformedRequestsGetAnErrorAndServingGoesOn) {
  Manager manager;
  ManagerClient client(manager);
  for (const char* bad :
       {"frobnicate", "append", "append x", "get 1 2", "", "set 1", "len 3"}) {
    EXPECT_EQ(client.Request(bad).rfind("ERR", 0), 0u) << bad;
  }
  EXPECT_EQ(client.append(5), 1);
  // An endless line is refused and only its connection closed.
  ManagerClient flood(manager);
  EXPECT_EQ(flood.Request(std::string(10'000, 'x')).rfind("ERR", 0), 0u);
  ManagerClient other(manager);
  EXPECT_EQ(other.get(0), 5);
}

// Like the seed's workers appending to a Manager().list() from processes.
TEST(ManagerTest, ChildProcessesShareTheList) {
  Manager manager;
  const std::string path = manager.socket_path();
  const std::string key = manager.authkey();
  std::vector<Process> children;
  for (int c = 0; c < 2; ++c) {
    children.emplace_back([path, key, c] {
      ManagerClient client(Transport::kUnix, path, key);
      for (int i = 0; i < 50; ++i) client.append(c * 1000 + i);
      client.set(c, 1);
    });
    children.back().start();
  }
  for (Process& child : children) {
    ASSERT_TRUE(child.join(milliseconds(10'000)));
    EXPECT_EQ(child.exitcode(), 0);
  }
  ManagerClient client(manager);
  EXPECT_EQ(client.len(), 100);
  EXPECT_EQ(client.lookup(0) + client.lookup(1), 2);
}

TEST(ManagerTest, SocketFileIsRemovedWithTheManager) {
  std::string path;
  {
    Manager manager;
    path = manager.socket_path();
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

// Whether `pid` has ended (gone, or a zombie nobody reaped yet).
bool Ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto paren = line.rfind(')');
  return paren == std::string::npos || line.size() < paren + 3 ||
         line[paren + 2] == 'Z' || line[paren + 2] == 'X';
}

struct Published {
  pid_t server;
  char path[200];
};

// kill -9 of the owner: the server notices, removes its socket and exits.
TEST(ManagerTest, ServerExitsWhenItsOwnerIsKilled) {
  SharedValue<Published> published(Published{}, Locking::kNoLock);
  Process owner([&published] {
    Manager manager;
    Published mine{manager.server().pid(), {}};
    std::snprintf(mine.path, sizeof(mine.path), "%s",
                  manager.socket_path().c_str());
    std::memcpy(&published.value(), &mine, sizeof(mine));
    pause();
  });
  owner.start();
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (reinterpret_cast<volatile pid_t&>(published.value().server) == 0) {
    ASSERT_LT(Clock::now(), deadline) << "the owner never started a manager";
    std::this_thread::sleep_for(milliseconds(5));
  }
  std::this_thread::sleep_for(milliseconds(20));  // the path is written too
  const Published seen = published.value();
  ASSERT_TRUE(std::filesystem::exists(seen.path));
  owner.kill();
  owner.join();
  const auto start = Clock::now();
  while (!Ended(seen.server) || std::filesystem::exists(seen.path)) {
    ASSERT_LT(Clock::now() - start, std::chrono::seconds(3))
        << "the server outlived its owner";
    std::this_thread::sleep_for(milliseconds(5));
  }
}

TEST(ManagerTest, ClientOfADeadServerGetsAnError) {
  Manager manager;
  ManagerClient client(manager, Transport::kUnix, milliseconds(2000));
  manager.server().kill();
  manager.server().join();
  EXPECT_THROW(client.len(), ManagerError);
}

}  // namespace
}  // namespace concbench
