#include "runner.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/contain.h"
#include "concbench/context.h"
#include "concbench/describe.h"
#include "concbench/result_file.h"
#include "failures.h"
#include "progress.h"

namespace concbench {
namespace {

std::regex CompileFilter(const std::string& pattern, const char* flag) {
  try {
    return std::regex(pattern.empty() ? "." : pattern);
  } catch (const std::regex_error& e) {
    throw UsageError(fmt::format("{}='{}' is not a valid regex: {}", flag,
                                 pattern, e.what()));
  }
}

// The benchmarks the filter chooses, in registration order.
std::vector<BenchmarkSpec> Choose(const Options& options) {
  SuiteConfig config;
  config.mode = options.mode;
  config.cores = LogicalCores();
  config.workers = options.workers;
  config.settings = options.settings;
  const std::regex filter = CompileFilter(options.filter, "--filter");
  std::vector<BenchmarkSpec> suite;
  try {
    suite = BuildSuite(config);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  std::vector<BenchmarkSpec> chosen;
  for (BenchmarkSpec& spec : suite) {
    if (std::regex_search(spec.name.str(), filter) != options.exclude)
      chosen.push_back(std::move(spec));
  }
  if (chosen.empty()) {
    throw UsageError(
        fmt::format("no benchmark matches --filter='{}{}' (see "
                    "--list)",
                    options.exclude ? "-" : "", options.filter));
  }
  return chosen;
}

// The 1, 5 and 15 minute load averages (empty when unknown).
nlohmann::ordered_json LoadAverage() {
  double load[3] = {};
  if (getloadavg(load, 3) != 3) return nlohmann::ordered_json::array();
  return {load[0], load[1], load[2]};
}

// Google Benchmark's flags: ours first, the user's --benchmark_* after, so
// that the user's win. Returns false (after Google Benchmark printed why)
// when one is not Google Benchmark's.
bool InitializeGoogleBenchmark(const Options& options, const char* program,
                               int repetitions, double min_time,
                               const ResultFile* result) {
  // Static: Google Benchmark keeps pointers into them (the program name).
  static std::vector<std::string> flags;
  flags = {
      program,
      fmt::format("--benchmark_repetitions={}", repetitions),
      fmt::format("--benchmark_min_time={}", min_time),
      "--benchmark_display_aggregates_only=true",
      // Repetitions of all benchmarks in random order: drift of a shared
      // machine then hits serial and every variant alike.
      "--benchmark_enable_random_interleaving=true",
  };
  if (result != nullptr) {
    flags.push_back("--benchmark_out=" + result->partial_path());
    flags.push_back("--benchmark_out_format=json");
  }
  flags.insert(flags.end(), options.passthrough.begin(),
               options.passthrough.end());
  std::vector<char*> argv;
  for (std::string& flag : flags) argv.push_back(flag.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  return !benchmark::ReportUnrecognizedArguments(argc, argv.data());
}

void Register(std::vector<BenchmarkSpec>& chosen, const Options& options,
              Progress& progress, FailedRepetitions& failures) {
  const std::regex slowdown_filter =
      CompileFilter(options.slowdown_filter, "--test_slowdown");
  const std::regex fail_filter =
      CompileFilter(options.fail_filter, "--test_fail");
  for (BenchmarkSpec& spec : chosen) {
    const std::string name = spec.name.str();
    const double slowdown = !options.slowdown_filter.empty() &&
                                    std::regex_search(name, slowdown_filter)
                                ? options.slowdown
                                : 1.0;
    const int fail_repetition =
        !options.fail_filter.empty() && std::regex_search(name, fail_filter)
            ? options.fail_repetition
            : 0;
    // An exception a benchmark lets escape (its set-up or tear-down) fails
    // that run, in the JSON, and the suite goes on. Every failed repetition
    // is counted here, where it ends.
    auto run = [run = std::move(spec.run), slowdown, fail_repetition, name,
                &progress, &failures](benchmark::State& state) {
      SetTestSlowdown(slowdown);
      RunContained(state, run);
      SetTestSlowdown(1.0);
      if (progress.repetition() == fail_repetition && !state.error_occurred())
        state.SkipWithError("test failure injected by --test_fail");
      failures.RecordIfFailed(state, name, progress.repetition());
    };
    auto* registered = benchmark::RegisterBenchmark(
        name.c_str(), progress.Wrap(name, std::move(run)));
    registered->Unit(spec.unit);
    // Google Benchmark's CPU time: every thread of this process (children
    // are in the cpu_seconds counter). It appends /process_time to run_name.
    registered->MeasureProcessCPUTime();
    if (spec.manual_time) {
      registered->UseManualTime();
    } else if (spec.real_time) {
      registered->UseRealTime();
    }
    if (spec.iterations > 0) registered->Iterations(spec.iterations);
  }
}

// What the result file's context.concbench says about this run, at its
// start (load_avg_end is filled in at the end). Warns on stderr when the
// machine is already loaded. Call after the timer slack is set.
nlohmann::ordered_json RunContext(const Options& options,
                                  const std::vector<BenchmarkSpec>& chosen,
                                  int repetitions, double min_time) {
  const nlohmann::ordered_json load_at_start = LoadAverage();
  // Other work competing for the CPUs makes every figure noisier: say so
  // before the run, and keep it in the result.
  const bool loaded =
      !load_at_start.empty() && load_at_start[0].get<double>() > LogicalCores();
  if (loaded) {
    std::fprintf(stderr,
                 "concbench: warning: the load average is %.2f on %d CPUs: "
                 "other work competes with the benchmarks, so the figures "
                 "will be noisier (recorded as context.concbench.loaded)\n",
                 load_at_start[0].get<double>(), LogicalCores());
  }
  return {
      {"schema", 2},
      {"mode", ModeName(options.mode)},
      {"repetitions", repetitions},
      {"min_time", min_time},
      {"load_avg_start", load_at_start},
      {"loaded", loaded},
      {"load_avg_end", nullptr},
      {"timer_slack_ns", prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL)},
      {"start_method", "fork"},
      {"benchmarks", Describe(chosen)},
  };
}

}  // namespace

int RunSuite(const Options& options, const char* program) {
  std::vector<BenchmarkSpec> chosen = Choose(options);
  if (options.list == ListFormat::kNames) {
    for (const BenchmarkSpec& spec : chosen) std::puts(spec.name.str().c_str());
    return 0;
  }
  if (options.list == ListFormat::kJson) {
    std::puts(Describe(chosen).dump(2).c_str());
    return 0;
  }

  std::optional<ResultFile> result;
  if (!options.out.empty()) {
    try {
      result.emplace(options.out);
    } catch (const std::runtime_error& e) {
      throw UsageError(fmt::format("--out: {}", e.what()));
    }
  }
  const int repetitions =
      options.repetitions.value_or(DefaultRepetitions(options.mode));
  const double min_time = DefaultMinTime(options.mode);
  if (!InitializeGoogleBenchmark(options, program, repetitions, min_time,
                                 result ? &*result : nullptr))
    return 2;

  // Sleeps and timed waits end within 1 ns of their deadline instead of the
  // kernel's default 50 us slack; forked children inherit the setting.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  AddContextToBenchmark();
  benchmark::AddCustomContext("concbench_mode",
                              std::string(ModeName(options.mode)));
  nlohmann::ordered_json run_context =
      RunContext(options, chosen, repetitions, min_time);

  Progress progress(chosen.size(), repetitions);
  FailedRepetitions failures;
  Register(chosen, options, progress, failures);
  DisplayReporter reporter(options.display_format);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  progress.Finish();
  benchmark::Shutdown();

  if (result) {
    run_context["load_avg_end"] = LoadAverage();
    result->Finish("concbench", run_context);
  }
  if (failures.count() > 0) {
    // The table shows a failed repetition's error only when fewer than two
    // of its benchmark's repetitions passed; the JSON has every one.
    std::fprintf(
        stderr, "concbench: %s; %s\n",
        failures.Summary(progress.total_runs()).c_str(),
        result ? fmt::format("each one's error_message is in {}", options.out)
                     .c_str()
               : "run with --out=PATH to keep their error messages");
    return 1;
  }
  return 0;
}

}  // namespace concbench
