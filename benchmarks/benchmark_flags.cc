#include "benchmark_flags.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "abbreviate.h"
#include "strict_number.h"

namespace concbench {
namespace {

enum class Takes {
  kBool,      // true/false and their spellings; bare: true
  kCount,     // a whole number of repetitions
  kSeconds,   // a decimal >= 0
  kChoice,    // one of `choices`
  kPath,      // a file name
  kList,      // comma-separated words (perf counter names)
  kKeyValues  // key=value,key=value
};

struct Flag {
  std::string_view name;
  Takes takes;
  std::string_view choices = {};  // for kChoice, '|'-separated
};

// Every flag Google Benchmark 1.7's Initialize parses, but --benchmark_filter
// (concbench's --filter) and --v (not a --benchmark_ flag).
constexpr std::string_view kFormats = "console|json|csv";
constexpr Flag kFlags[] = {
    {"benchmark_list_tests", Takes::kBool},
    {"benchmark_min_time", Takes::kSeconds},
    {"benchmark_min_warmup_time", Takes::kSeconds},
    {"benchmark_repetitions", Takes::kCount},
    {"benchmark_enable_random_interleaving", Takes::kBool},
    {"benchmark_report_aggregates_only", Takes::kBool},
    {"benchmark_display_aggregates_only", Takes::kBool},
    {"benchmark_format", Takes::kChoice, kFormats},
    {"benchmark_out", Takes::kPath},
    {"benchmark_out_format", Takes::kChoice, kFormats},
    {"benchmark_color", Takes::kChoice,
     "auto|true|false|yes|no|on|off|1|0|t|f|y|n"},
    {"benchmark_counters_tabular", Takes::kBool},
    {"benchmark_perf_counters", Takes::kList},
    {"benchmark_context", Takes::kKeyValues},
    {"benchmark_time_unit", Takes::kChoice, "ns|us|ms|s"},
};

// As --repetitions.
constexpr std::int64_t kMaxRepetitions = 1000;

// Whether `value` is one of the '|'-separated `choices`, exactly as
// Google Benchmark compares them.
bool IsChoice(std::string_view choices, std::string_view value) {
  for (std::size_t start = 0; start <= choices.size();) {
    const std::size_t bar = std::min(choices.find('|', start), choices.size());
    if (choices.substr(start, bar - start) == value) return true;
    start = bar + 1;
  }
  return false;
}

// Google Benchmark reads a boolean's words in any case.
bool IsBool(std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return IsChoice("true|false|yes|no|on|off|1|0|t|f|y|n", lower);
}

bool IsKeyValues(std::string_view list) {
  for (std::size_t start = 0; start <= list.size();) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string_view pair = list.substr(start, comma - start);
    const std::size_t equals = pair.find('=');
    if (equals == 0 || equals == std::string_view::npos ||
        pair.find('=', equals + 1) != std::string_view::npos)
      return false;
    start = comma + 1;
  }
  return true;
}

// What is wrong with `value` for `flag`, or nothing.
std::optional<std::string> ValueError(const Flag& flag,
                                      std::optional<std::string_view> value) {
  if (!value) {
    if (flag.takes == Takes::kBool) return std::nullopt;
    return "needs a value (--" + std::string(flag.name) + "=VALUE)";
  }
  switch (flag.takes) {
    case Takes::kBool:
      if (IsBool(*value)) return std::nullopt;
      return "expected true or false";
    case Takes::kCount: {
      const auto count = ParseWholeNumber(*value);
      if (count && *count >= 1 && *count <= kMaxRepetitions)
        return std::nullopt;
      return fmt::format("expected a whole number from 1 to {}",
                         kMaxRepetitions);
    }
    case Takes::kSeconds: {
      const auto seconds = ParseFiniteNumber(*value);
      if (seconds && *seconds >= 0) return std::nullopt;
      return "expected a number of seconds, 0 or more (e.g. 0.1)";
    }
    case Takes::kChoice:
      if (IsChoice(flag.choices, *value)) return std::nullopt;
      return fmt::format("expected one of {}", flag.choices);
    case Takes::kPath:
      if (!value->empty()) return std::nullopt;
      return "needs a path";
    case Takes::kList:
      return std::nullopt;
    case Takes::kKeyValues:
      if (IsKeyValues(*value)) return std::nullopt;
      return "expected key=value pairs separated by commas";
  }
  return std::nullopt;
}

}  // namespace

std::string BenchmarkFlagError(std::string_view arg) {
  const std::string_view body = arg.substr(arg.starts_with("--") ? 2 : 0);
  const std::size_t equals = body.find('=');
  const std::string_view name = body.substr(0, equals);
  const std::optional<std::string_view> value =
      equals == std::string_view::npos ? std::nullopt
                                       : std::optional(body.substr(equals + 1));
  const auto flag =
      std::find_if(std::begin(kFlags), std::end(kFlags),
                   [name](const Flag& f) { return f.name == name; });
  if (flag == std::end(kFlags)) {
    std::string known;
    for (const Flag& f : kFlags) known += fmt::format(" --{}", f.name);
    return fmt::format(
        "{}: not a Google Benchmark flag concbench passes on (known:{})",
        Abbreviate(arg), known);
  }
  if (const auto error = ValueError(*flag, value))
    return fmt::format("{}: {}", Abbreviate(arg), *error);
  return {};
}

}  // namespace concbench
