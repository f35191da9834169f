#include "command_line.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "abbreviate.h"
#include "benchmark_flags.h"
#include "strict_number.h"

namespace concbench {
namespace {

// Options that take a value; each accepts --flag=value and --flag value.
constexpr std::string_view kValueFlags[] = {
    "--filter",        "--benchmark_filter", "--out",
    "--repetitions",   "--workers",          "--set",
    "--test_slowdown", "--test_fail"};

bool TakeValue(const std::string& arg, std::string_view flag,
               std::string& value) {
  if (!arg.starts_with(flag) || arg.size() <= flag.size() ||
      arg[flag.size()] != '=')
    return false;
  value = arg.substr(flag.size() + 1);
  return true;
}

// "1,2,8" -> {1, 2, 8}; every count must be a whole number from 1 to 1024.
std::vector<int> ParseWorkers(const std::string& list) {
  std::vector<int> counts;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string item = list.substr(start, comma - start);
    const auto count = ParseWholeNumber(item);
    if (!count || *count < 1 || *count > 1024) {
      throw UsageError(fmt::format(
          "--workers takes worker counts from 1 to 1024, e.g. 1,2,4; got '{}'",
          item));
    }
    counts.push_back(static_cast<int>(*count));
    start = comma + 1;
  }
  return counts;
}

int ParseRepetitions(const std::string& value) {
  const auto count = ParseWholeNumber(value);
  if (!count || *count < 1 || *count > 1000) {
    throw UsageError(
        fmt::format("--repetitions must be 1 to 1000, got '{}'", value));
  }
  return static_cast<int>(*count);
}

// `flag` is --filter or --benchmark_filter, as the user spelled it.
void SetFilter(Options& options, std::string_view flag,
               const std::string& value) {
  options.exclude = value.starts_with('-');
  options.filter = options.exclude ? value.substr(1) : value;
  if (options.exclude && options.filter.empty()) {
    throw UsageError(fmt::format("{}=- needs a pattern after the '-'", flag));
  }
  CompileFilter(flag, options.filter, value);
}

void ParseSlowdown(Options& options, const std::string& value) {
  const auto colon = value.rfind(':');
  const auto factor = colon == std::string::npos
                          ? std::nullopt
                          : ParseFiniteNumber(value.substr(colon + 1));
  if (!factor || *factor < 1.0) {
    throw UsageError("--test_slowdown takes REGEX:FACTOR with FACTOR >= 1");
  }
  options.slowdown = *factor;
  options.slowdown_filter = value.substr(0, colon);
  CompileFilter("--test_slowdown", options.slowdown_filter, value);
}

// --out writes the JSON itself, through Google Benchmark's own file flags.
void CheckOutputFlags(const Options& options) {
  if (options.out.empty()) return;
  for (const std::string& flag : options.passthrough) {
    if (flag.starts_with("--benchmark_out=") ||
        flag.starts_with("--benchmark_out_format=")) {
      throw UsageError(
          fmt::format("{}: --out writes the result file; give one or the other",
                      Abbreviate(flag)));
    }
  }
}

void ParseFail(Options& options, const std::string& value) {
  const auto colon = value.rfind(':');
  const auto repetition = colon == std::string::npos
                              ? std::nullopt
                              : ParseWholeNumber(value.substr(colon + 1));
  if (colon == 0 || !repetition || *repetition < 1 || *repetition > 1000) {
    throw UsageError(
        "--test_fail takes REGEX:REPETITION with REPETITION from 1 to 1000");
  }
  options.fail_filter = value.substr(0, colon);
  options.fail_repetition = static_cast<int>(*repetition);
  CompileFilter("--test_fail", options.fail_filter, value);
}

}  // namespace

Options ParseCommandLine(std::span<const std::string> args) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (i + 1 < args.size() &&
        std::find(std::begin(kValueFlags), std::end(kValueFlags), arg) !=
            std::end(kValueFlags)) {
      arg += "=" + args[++i];
    }
    std::string value;
    if (arg == "--quick") {
      options.mode = SuiteMode::kQuick;
    } else if (arg == "--smoke") {
      options.mode = SuiteMode::kSmoke;
    } else if (arg == "--list") {
      options.list = ListFormat::kNames;
    } else if (arg == "--list=json") {
      options.list = ListFormat::kJson;
    } else if (arg == "--help" || arg == "-h") {
      options.help = true;
    } else if (TakeValue(arg, "--filter", value)) {
      SetFilter(options, "--filter", value);
    } else if (TakeValue(arg, "--benchmark_filter", value)) {
      SetFilter(options, "--benchmark_filter", value);
    } else if (TakeValue(arg, "--out", options.out)) {
      if (options.out.empty()) throw UsageError("--out needs a path");
    } else if (TakeValue(arg, "--repetitions", value)) {
      options.repetitions = ParseRepetitions(value);
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
      ParseSlowdown(options, value);
    } else if (TakeValue(arg, "--test_fail", value)) {
      ParseFail(options, value);
    } else if (arg.starts_with("--benchmark_")) {
      if (const std::string error = BenchmarkFlagError(arg); !error.empty())
        throw UsageError(error);
      TakeValue(arg, "--benchmark_format", options.display_format);
      options.passthrough.push_back(arg);
    } else {
      throw UsageError(fmt::format("unknown option '{}' (see concbench --help)",
                                   Abbreviate(arg)));
    }
  }
  CheckOutputFlags(options);
  return options;
}

NameFilter CompileFilter(std::string_view flag, std::string_view pattern,
                         std::string_view given) {
  try {
    return NameFilter(pattern);
  } catch (const std::invalid_argument& e) {
    throw UsageError(
        fmt::format("{}='{}': {}", flag, Abbreviate(given), e.what()));
  }
}

int DefaultRepetitions(SuiteMode mode) {
  switch (mode) {
    case SuiteMode::kFull:
      // 15: the 10-minute budget of the full run on two cores (20 took
      // 11 min 54 s); the best of 15 short repetitions is still tighter than
      // the 10 long ones this replaced (see the README).
      return 15;
    case SuiteMode::kQuick:
      // 8: the 60-second budget of `make bench QUICK=1` with its MPI and
      // CPython rows (with 10 it took 60 s on two cores, 2026-12-07).
      return 8;
    case SuiteMode::kSmoke:
      return 1;
  }
  return 1;
}

double DefaultMinTime(SuiteMode mode) {
  switch (mode) {
    case SuiteMode::kFull:
      return 0.01;
    case SuiteMode::kQuick:
      return 0.002;
    case SuiteMode::kSmoke:
      return 0.0;
  }
  return 0.0;
}

std::string HelpText(std::span<const SettingInfo> settings) {
  std::string text = fmt::format(
      R"help(usage: concbench [--quick | --smoke] [--filter=[-]REGEX] [--out=PATH]
                 [--repetitions=N] [--workers=1,2,...] [--set KEY=VALUE]...
                 [--list | --list=json] [--benchmark_<flag>=VALUE]...

Measures what each way of doing work concurrently costs on this machine and
checks every result. Value options also take the spaced form (--out PATH).

Options:
  --quick             a short run: smaller sizes, {} repetitions
  --smoke             tiny sizes, {} repetition: only checks that every
                      benchmark runs and verifies
                      (default: the full run, {} repetitions)
  --filter=REGEX      run the benchmarks whose name REGEX matches (RE2
                      syntax, searched anywhere in the name, at most {}
                      characters); --filter=-REGEX runs those it does not
                      match. --benchmark_filter is the same
  --out=PATH          write Google Benchmark's JSON, with context.concbench
                      (see README), to PATH; it appears when the run ends.
                      PATH is new or a regular file (never a link, device,
                      FIFO or directory), in a writable directory
  --repetitions=N     repetitions of every benchmark, 1 to 1000, in random
                      order across benchmarks
  --workers=LIST      worker counts to sweep, each 1 to 1024 (default: 1 to
                      twice the logical CPUs; fewer for costly shapes)
  --set KEY=VALUE     change a workload's size (the settings below);
                      repeatable
  --list              print the chosen benchmarks' names, one per line
  --list=json         print them as a JSON array: workload, variant, modes,
                      params, traits, primary metric, floor
  --help, -h          this text
  --benchmark_<flag>=VALUE
                      passed to Google Benchmark, e.g.
                      --benchmark_min_time=0.1 (default: {} s full, {} s
                      quick, {} s smoke), --benchmark_format=json; an
                      unknown flag or a bad value is bad input

Settings (--set KEY=VALUE; defaults full / quick / smoke; range):
)help",
      DefaultRepetitions(SuiteMode::kQuick),
      DefaultRepetitions(SuiteMode::kSmoke),
      DefaultRepetitions(SuiteMode::kFull), NameFilter::kMaxPatternLength,
      DefaultMinTime(SuiteMode::kFull), DefaultMinTime(SuiteMode::kQuick),
      DefaultMinTime(SuiteMode::kSmoke));
  for (const SettingInfo& setting : settings) {
    text += fmt::format("  {:<26} {} / {} / {}; {} to {}\n  {:<26} {}\n",
                        setting.key, setting.full, setting.quick, setting.smoke,
                        setting.min, setting.max, "", setting.help);
  }
  text += R"help(
Exit status:
  0  every benchmark ran and verified its result
  1  a benchmark failed in any repetition: a wrong result, or an error in
     its set-up or tear-down (its error is in the JSON; the last line on
     stderr names each failed benchmark); the others ran
  2  bad input: one 'concbench: ...' line on stderr says what

Results: the JSON goes to --out (make bench: results/latest/concbench.json,
then summary.md and charts/ beside it); Google Benchmark's table goes to
stdout and progress ("[k/n] name (repetition r/R)") to stderr.
)help";
  return text;
}

}  // namespace concbench
