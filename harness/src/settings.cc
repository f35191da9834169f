#include "concbench/settings.h"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

#include "concbench/suite.h"

namespace concbench {
namespace {

std::vector<SettingInfo>& Declared() {
  static std::vector<SettingInfo> settings;
  return settings;
}

const SettingInfo* Find(std::string_view key) {
  for (const SettingInfo& setting : Declared()) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

std::int64_t Parse(const SettingInfo& setting, const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() ||
      value < setting.min || value > setting.max) {
    throw std::invalid_argument(
        fmt::format("--set {}={}: expected a whole number from {} to {}",
                    setting.key, text, setting.min, setting.max));
  }
  return value;
}

}  // namespace

std::int64_t SettingInfo::Default(SuiteMode mode) const {
  return ForMode(mode, full, quick, smoke);
}

std::vector<SettingInfo> DeclaredSettings() { return Declared(); }

void DeclareSettings(std::span<const SettingInfo> settings) {
  Declared().insert(Declared().end(), settings.begin(), settings.end());
}

void ValidateSettings(const std::map<std::string, std::string>& overrides) {
  for (const auto& [key, text] : overrides) {
    const SettingInfo* setting = Find(key);
    if (setting == nullptr) {
      std::string valid;
      for (const SettingInfo& known : Declared()) {
        valid += fmt::format("{}{}", valid.empty() ? "" : ", ", known.key);
      }
      throw std::invalid_argument(fmt::format(
          "--set {}: no workload has this setting (valid: {}; see --help)", key,
          valid));
    }
    Parse(*setting, text);
  }
}

std::int64_t SettingValue(std::string_view key, SuiteMode mode,
                          const std::map<std::string, std::string>& overrides) {
  const SettingInfo* setting = Find(key);
  if (setting == nullptr) {
    throw std::logic_error(
        fmt::format("setting {} is read but no workload declares it", key));
  }
  const auto found = overrides.find(std::string(key));
  if (found == overrides.end()) return setting->Default(mode);
  return Parse(*setting, found->second);
}

}  // namespace concbench
