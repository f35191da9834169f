// Google Benchmark's flags that concbench passes through (--benchmark_*),
// checked before benchmark::Initialize sees them: Google Benchmark would
// report a bad one in two unprefixed lines, or print its usage and exit 0.
#pragma once

#include <string>
#include <string_view>

namespace concbench {

// Why Google Benchmark would refuse or misread `arg`
// ("--benchmark_NAME[=VALUE]"), in one line naming the flag and what it
// takes; empty when it is a flag of the linked Google Benchmark (1.7) with a
// value in range. --benchmark_filter is concbench's own (--filter).
std::string BenchmarkFlagError(std::string_view arg);

}  // namespace concbench
