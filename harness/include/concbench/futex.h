// Compatibility: the futex and CpuRelax are public in sync.h. These names keep
// code that still spells them concbench::internal:: compiling; new code
// includes sync.h.
#pragma once

#include "concbench/sync.h"

namespace concbench::internal {
using concbench::CpuRelax;
using concbench::FutexWait;
using concbench::FutexWake;
}  // namespace concbench::internal
