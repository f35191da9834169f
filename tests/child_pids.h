// The children of every thread of this process, from /proc (for tests that
// check which processes a variant starts and that none is left).
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

}  // namespace concbench
