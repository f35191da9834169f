#include "concbench/child_entry.h"

#include <cstring>

namespace concbench {

std::optional<int> RunChildEntry(int argc, char** argv) {
  if (argc != 2) return std::nullopt;
  if (std::strcmp(argv[1], kChildExitFlag) == 0) return 0;
  return std::nullopt;
}

}  // namespace concbench
