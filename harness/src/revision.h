// The git revision the binary was built from. Internal: defined in a file
// that CMake generates at configure time (harness/src/revision.cc.in), so
// that a new commit rebuilds that one translation unit.
#pragma once

namespace concbench::internal {
const char* Revision();
}  // namespace concbench::internal
