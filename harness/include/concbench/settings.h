// The sizes a workload lets `--set workload.key=value` change, declared up
// front in a table per workload, so that --help lists every key with its
// defaults and range, and a bad key or value is caught before anything runs.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace concbench {

enum class SuiteMode;

// One setting: a whole number with a default per mode and a range.
struct SettingInfo {
  std::string_view key;  // "<workload>.<name>", e.g. "sleep_io.tasks"
  std::int64_t full;     // the default in each mode
  std::int64_t quick;
  std::int64_t smoke;
  std::int64_t min;
  std::int64_t max;
  std::string_view help;  // one line: what it sizes

  std::int64_t Default(SuiteMode mode) const;
};

// Every declared setting of every registered workload, in registration order.
std::vector<SettingInfo> DeclaredSettings();

// Adds a workload's settings (through CONCBENCH_WORKLOAD).
void DeclareSettings(std::span<const SettingInfo> settings);

// Checks --set overrides against the declarations: throws
// std::invalid_argument (one line) for an unknown key, naming the valid
// ones, or a value that is not a whole number in the declared range.
void ValidateSettings(const std::map<std::string, std::string>& overrides);

// The value of declared setting `key` in `mode`, `overrides` applied.
// Throws std::logic_error when no workload declared `key` (a programming
// error) and std::invalid_argument for a bad override.
std::int64_t SettingValue(std::string_view key, SuiteMode mode,
                          const std::map<std::string, std::string>& overrides);

}  // namespace concbench
