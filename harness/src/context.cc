#include "concbench/context.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <oneapi/tbb/version.h>
#include <sys/utsname.h>

#include <boost/version.hpp>
#include <fstream>

#include "concbench/affinity.h"
#include "revision.h"

// Set by CMake: values only the build knows (the revision: revision.h).
#ifndef CONCBENCH_BUILD_TYPE
#define CONCBENCH_BUILD_TYPE "unknown"
#endif
#ifndef CONCBENCH_BENCHMARK_VERSION
#define CONCBENCH_BENCHMARK_VERSION "unknown"
#endif

namespace concbench {
namespace {

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

std::string Kernel() {
  utsname name{};
  if (uname(&name) != 0) return "unknown";
  return fmt::format("{} {} {}", name.sysname, name.release, name.machine);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> CollectContext() {
  return {
      {"concbench_revision", internal::Revision()},
      {"cpu_model", CpuModel()},
      {"logical_cores", std::to_string(LogicalCores())},
      {"affinity", AffinityMaskString()},
      {"kernel", Kernel()},
      {"compiler", fmt::format("g++ {}", __VERSION__)},
      {"build_type", CONCBENCH_BUILD_TYPE},
      {"boost_version",
       fmt::format("{}.{}.{}", BOOST_VERSION / 100000,
                   BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100)},
      {"tbb_version", TBB_VERSION_STRING},
      {"fmt_version", fmt::format("{}.{}.{}", FMT_VERSION / 10000,
                                  FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"benchmark_version", CONCBENCH_BENCHMARK_VERSION},
  };
}

void AddContextToBenchmark() {
  for (const auto& [key, value] : CollectContext()) {
    benchmark::AddCustomContext(key, value);
  }
}

}  // namespace concbench
