// The children of every thread of this process, and its threads, from /proc
// (for tests that check which processes and threads a variant starts and
// that none is left).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace concbench {

inline std::vector<pid_t> ChildPids() {
  std::vector<pid_t> children;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream list(task.path() / "children");
    for (pid_t pid = 0; list >> pid;) children.push_back(pid);
  }
  return children;
}

inline int ThreadCount() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task"))
    ++count;
  return count;
}

}  // namespace concbench
