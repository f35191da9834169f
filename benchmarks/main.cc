// concbench's entry point: parses its own options, records the context,
// registers the chosen benchmarks and runs them with Google Benchmark.
//
//   concbench [--quick | --smoke] [--filter=REGEX] [--out=PATH]
//             [--repetitions=N] [--workers=1,2,...] [--set=KEY=VALUE]...
//             [--list]
//             [--benchmark_...]
//
// Exit status: 0 when every benchmark ran and verified; 1 when any failed;
// 2 on bad input (one line on stderr says what).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/cleanup.h"
#include "concbench/context.h"
#include "concbench/describe.h"
#include "concbench/suite.h"
#include "progress.h"
#include "spawn/child_exit.h"

namespace concbench {
namespace {

struct Options {
  SuiteMode mode = SuiteMode::kFull;
  std::string filter;
  std::string out;
  std::optional<int> repetitions;
  std::vector<int> workers;
  std::map<std::string, std::string> settings;
  bool list = false;
  bool list_json = false;
  std::string slowdown_filter;  // test-only
  double slowdown = 1.0;
  std::vector<std::string> passthrough;  // --benchmark_* flags
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr const char* kUsage =
    "usage: concbench [--quick | --smoke] [--filter=REGEX] [--out=PATH] "
    "[--repetitions=N] [--workers=1,2,...] [--set=workload.key=value] "
    "[--list[=json]] [--benchmark_<flag>=...]";

bool TakeValue(const std::string& arg, const char* flag, std::string& value) {
  const std::string prefix = std::string(flag) + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  value = arg.substr(prefix.size());
  return true;
}

// "1,2,8" -> {1, 2, 8}; every count must be a whole number from 1 to 1024.
std::vector<int> ParseWorkers(const std::string& list) {
  std::vector<int> counts;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, comma - start);
    char* end = nullptr;
    const long count = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || count < 1 || count > 1024) {
      throw UsageError(fmt::format(
          "--workers takes worker counts from 1 to 1024, e.g. 1,2,4; got '{}'",
          item));
    }
    counts.push_back(static_cast<int>(count));
    start = comma + 1;
  }
  return counts;
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  // Options that take a value accept both --flag=value and --flag value.
  constexpr std::string_view kValueFlags[] = {
      "--filter", "--benchmark_filter", "--out", "--repetitions", "--workers",
      "--set",    "--test_slowdown"};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 < argc &&
        std::find(std::begin(kValueFlags), std::end(kValueFlags), arg) !=
            std::end(kValueFlags)) {
      arg = fmt::format("{}={}", arg, argv[++i]);
    }
    std::string value;
    if (arg == "--quick") {
      options.mode = SuiteMode::kQuick;
    } else if (arg == "--smoke") {
      options.mode = SuiteMode::kSmoke;
    } else if (arg == "--list") {
      options.list = true;
    } else if (arg == "--list=json") {
      options.list_json = true;
    } else if (arg == "--help" || arg == "-h") {
      std::puts(kUsage);
      std::exit(0);
    } else if (TakeValue(arg, "--filter", options.filter) ||
               TakeValue(arg, "--benchmark_filter", options.filter) ||
               TakeValue(arg, "--out", options.out)) {
    } else if (TakeValue(arg, "--repetitions", value)) {
      char* end = nullptr;
      const long count = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || count < 1 || count > 1000) {
        throw UsageError(
            fmt::format("--repetitions must be 1 to 1000, got '{}'", value));
      }
      options.repetitions = static_cast<int>(count);
    } else if (TakeValue(arg, "--set", value)) {
      const auto equals = value.find('=');
      if (equals == std::string::npos || equals == 0) {
        throw UsageError(
            fmt::format("--set takes workload.key=value, got '{}'", value));
      }
      options.settings[value.substr(0, equals)] = value.substr(equals + 1);
    } else if (TakeValue(arg, "--workers", value)) {
      options.workers = ParseWorkers(value);
    } else if (TakeValue(arg, "--test_slowdown", value)) {
      const auto colon = value.rfind(':');
      char* end = nullptr;
      options.slowdown = colon == std::string::npos
                             ? 0.0
                             : std::strtod(value.c_str() + colon + 1, &end);
      if (colon == std::string::npos || *end != '\0' ||
          options.slowdown < 1.0) {
        throw UsageError("--test_slowdown takes REGEX:FACTOR with FACTOR >= 1");
      }
      options.slowdown_filter = value.substr(0, colon);
    } else if (arg.rfind("--benchmark_", 0) == 0) {
      options.passthrough.push_back(arg);
    } else {
      throw UsageError(fmt::format("unknown option '{}' ({})", arg, kUsage));
    }
  }
  return options;
}

// The 1, 5 and 15 minute load averages (empty when unknown).
nlohmann::ordered_json LoadAverage() {
  double load[3] = {};
  if (getloadavg(load, 3) != 3) return nlohmann::ordered_json::array();
  return {load[0], load[1], load[2]};
}

// Finishes the Google Benchmark JSON at `path`: inserts "key": value as the
// first member of its "context" object, and writes Google Benchmark's bare
// NaN and Infinity (e.g. the CV of a counter that is zero in every
// repetition) as null, so that the file is strict JSON. Google Benchmark
// writes its context first and one value per line, so both edits are
// textual and every other number stays exactly as it wrote it.
void FinishResultFile(const std::string& path, const std::string& key,
                      const nlohmann::ordered_json& value) {
  std::ifstream in(path);
  std::string json;
  bool inserted = false;
  static const std::regex kNonFinite(R"(^(\s*"[^"]*": )-?(NaN|Infinity)(,?)$)");
  for (std::string line; std::getline(in, line);) {
    json += std::regex_replace(line, kNonFinite, "$1null$3");
    json += '\n';
    if (!inserted && line.ends_with("\"context\": {")) {
      json += fmt::format("    \"{}\": {},\n", key, value.dump());
      inserted = true;
    }
  }
  if (!inserted) {
    throw std::runtime_error(fmt::format("{} has no context object", path));
  }
  std::ofstream out(path, std::ios::trunc);
  out << json;
  if (!out.flush()) {
    throw std::runtime_error(fmt::format("cannot write {}", path));
  }
}

std::regex CompileFilter(const std::string& pattern, const char* flag) {
  try {
    return std::regex(pattern.empty() ? "." : pattern);
  } catch (const std::regex_error& e) {
    throw UsageError(fmt::format("{}='{}' is not a valid regex: {}", flag,
                                 pattern, e.what()));
  }
}

int Main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  SuiteConfig config;
  config.mode = options.mode;
  config.cores = LogicalCores();
  config.workers = options.workers;
  config.settings = options.settings;
  const std::regex filter = CompileFilter(options.filter, "--filter");
  const std::regex slowdown_filter =
      CompileFilter(options.slowdown_filter, "--test_slowdown");

  std::vector<BenchmarkSpec> chosen;
  std::vector<BenchmarkSpec> suite;
  try {
    suite = BuildSuite(config);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  for (BenchmarkSpec& spec : suite) {
    if (std::regex_search(spec.name.str(), filter))
      chosen.push_back(std::move(spec));
  }
  if (chosen.empty()) {
    throw UsageError(fmt::format(
        "no benchmark matches --filter='{}' (see --list)", options.filter));
  }
  if (options.list) {
    for (const BenchmarkSpec& spec : chosen) std::puts(spec.name.str().c_str());
    return 0;
  }
  if (options.list_json) {
    std::puts(Describe(chosen).dump(2).c_str());
    return 0;
  }

  // Google Benchmark writes its JSON as it goes; it goes to a partial file
  // that an interrupt removes and success renames, so no half file is left.
  std::optional<internal::OwnedName> partial;
  if (!options.out.empty()) {
    partial.emplace(NameKind::kFile, options.out + ".partial");
    std::ofstream probe(partial->str());
    if (!probe) {
      throw UsageError(fmt::format("cannot write --out={}: {}", options.out,
                                   std::strerror(errno)));
    }
  }

  const int repetitions =
      options.repetitions.value_or(static_cast<int>(config.Size(10, 5, 1)));
  const double min_time = config.mode == SuiteMode::kFull    ? 0.2
                          : config.mode == SuiteMode::kQuick ? 0.01
                                                             : 0.0;
  std::vector<std::string> flags = {
      argv[0],
      fmt::format("--benchmark_repetitions={}", repetitions),
      fmt::format("--benchmark_min_time={}", min_time),
      "--benchmark_display_aggregates_only=true",
      // Repetitions of all benchmarks in random order: drift of a shared
      // machine then hits serial and every variant alike.
      "--benchmark_enable_random_interleaving=true",
  };
  if (partial) {
    flags.push_back("--benchmark_out=" + partial->str());
    flags.push_back("--benchmark_out_format=json");
  }
  flags.insert(flags.end(), options.passthrough.begin(),
               options.passthrough.end());
  std::vector<char*> bench_argv;
  for (std::string& flag : flags) bench_argv.push_back(flag.data());
  int bench_argc = static_cast<int>(bench_argv.size());
  benchmark::Initialize(&bench_argc, bench_argv.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, bench_argv.data()))
    return 2;

  // Sleeps and timed waits end within 1 ns of their deadline instead of the
  // kernel's default 50 us slack; forked children inherit the setting.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  AddContextToBenchmark();
  benchmark::AddCustomContext("concbench_mode",
                              std::string(ModeName(config.mode)));

  nlohmann::ordered_json run_context = {
      {"schema", 2},
      {"mode", ModeName(config.mode)},
      {"repetitions", repetitions},
      {"min_time", min_time},
      {"load_avg_start", LoadAverage()},
      {"load_avg_end", nullptr},
      {"timer_slack_ns", prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL)},
      {"start_method", "fork"},
      {"benchmarks", Describe(chosen)},
  };

  Progress progress(chosen.size(), repetitions);
  for (BenchmarkSpec& spec : chosen) {
    const double slowdown =
        !options.slowdown_filter.empty() &&
                std::regex_search(spec.name.str(), slowdown_filter)
            ? options.slowdown
            : 1.0;
    auto run = [run = std::move(spec.run), slowdown](benchmark::State& state) {
      internal::TestSlowdown() = slowdown;
      run(state);
      internal::TestSlowdown() = 1.0;
    };
    const std::string name = spec.name.str();
    auto* registered = benchmark::RegisterBenchmark(
        name.c_str(), progress.Wrap(name, std::move(run)));
    registered->Unit(spec.unit);
    // Google Benchmark's CPU time: every thread of this process (children
    // are in the cpu_seconds counter).
    registered->MeasureProcessCPUTime();
    if (spec.real_time) registered->UseRealTime();
    if (spec.iterations > 0) registered->Iterations(spec.iterations);
  }

  CountingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  progress.Finish();
  benchmark::Shutdown();

  if (partial) {
    run_context["load_avg_end"] = LoadAverage();
    FinishResultFile(partial->str(), "concbench", run_context);
    std::filesystem::rename(partial->str(), options.out);
    partial->release();
  }
  if (reporter.failed() > 0) {
    std::fprintf(stderr,
                 "concbench: %d run(s) failed; see the error messages above\n",
                 reporter.failed());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace concbench

int main(int argc, char** argv) {
  // A fresh copy of this binary started by the spawn workload: it must cost
  // only exec and start-up, so it returns before any option or context work.
  if (argc == 2 && std::strcmp(argv[1], concbench::kChildExitFlag) == 0)
    return 0;
  try {
    return concbench::Main(argc, argv);
  } catch (const concbench::UsageError& e) {
    std::fprintf(stderr, "concbench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "concbench: %s\n", e.what());
    return 1;
  }
}
