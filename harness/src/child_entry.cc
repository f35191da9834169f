#include "concbench/child_entry.h"

#include <cstring>

#include "concbench/fork_helper.h"
#include "concbench/reclaim.h"

namespace concbench {

std::optional<int> RunChildEntry(int argc, char** argv) {
  if (argc != 2) return std::nullopt;
  if (std::strcmp(argv[1], kChildExitFlag) == 0) return 0;
  if (std::strcmp(argv[1], kForkHelperFlag) == 0)
    return internal::ForkHelperMain();
  if (std::strcmp(argv[1], kCleanShmFlag) == 0) return CleanShmMain();
  return std::nullopt;
}

}  // namespace concbench
