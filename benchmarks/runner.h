// Runs what the command line asked for: builds the suite, filters it, lists
// it or runs it with Google Benchmark and finishes the result JSON.
#pragma once

#include "command_line.h"

namespace concbench {

// Returns the exit status: 0 when every benchmark ran and verified, 1 when
// any failed. Throws UsageError for bad input found on the way (a filter
// that matches nothing, an unknown setting, an unwritable --out).
int RunSuite(const Options& options, const char* program);

}  // namespace concbench
