// What a result was measured on: recorded in every JSON, because a number
// without its machine, placement and build cannot be compared.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace concbench {

// Key/value pairs: concbench_revision, cpu_model, logical_cores, affinity,
// kernel, compiler, build_type, boost_version, tbb_version, fmt_version,
// benchmark_version. Reads /proc and uname; call from any thread.
std::vector<std::pair<std::string, std::string>> CollectContext();

// Adds CollectContext() to Google Benchmark's context (call before running).
void AddContextToBenchmark();

}  // namespace concbench
