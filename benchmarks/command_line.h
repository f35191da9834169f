// concbench's command line: what the user asked for, parsed and checked
// before anything runs. Bad input is a UsageError (one line; exit status 2).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "concbench/settings.h"
#include "concbench/suite.h"

namespace concbench {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class ListFormat { kNone, kNames, kJson };

struct Options {
  SuiteMode mode = SuiteMode::kFull;
  std::string filter;    // a regex; empty: every benchmark
  bool exclude = false;  // the filter began with '-': run the others
  std::string out;       // empty: no JSON file
  std::optional<int> repetitions;
  std::vector<int> workers;                     // empty: the default sweep
  std::map<std::string, std::string> settings;  // --set key=value
  ListFormat list = ListFormat::kNone;
  bool help = false;
  std::string slowdown_filter;  // test-only: --test_slowdown=REGEX:FACTOR
  double slowdown = 1.0;
  std::string fail_filter;  // test-only: --test_fail=REGEX:REPETITION
  int fail_repetition = 0;
  std::vector<std::string> passthrough;  // --benchmark_* flags
  // Google Benchmark's display: the last --benchmark_format, as there.
  std::string display_format = "console";
};

// Parses the arguments after the program name. Value options take
// --flag=value and --flag value. A leading '-' in --filter or
// --benchmark_filter negates it (Google Benchmark's convention). Throws
// UsageError for anything unknown or malformed; --set keys are checked
// later, against the declared settings (ValidateSettings).
Options ParseCommandLine(std::span<const std::string> args);

// Repetitions and --benchmark_min_time per mode, unless given.
int DefaultRepetitions(SuiteMode mode);
double DefaultMinTime(SuiteMode mode);

// The --help text: every option, every setting with its defaults per mode
// and its range, the exit statuses and where results go.
std::string HelpText(std::span<const SettingInfo> settings);

}  // namespace concbench
