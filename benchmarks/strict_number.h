// Numbers read from the command line strictly: the whole text, digits only
// where a whole number is expected. strtol and strtod would take " 2", "+2"
// or "2 " silently, and strtod "nan" and "inf".
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace concbench {

// The whole number `text` spells (an optional '-' then digits), or nothing.
inline std::optional<std::int64_t> ParseWholeNumber(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

// The finite decimal `text` spells (e.g. 0.5, 1e-3), or nothing.
inline std::optional<double> ParseFiniteNumber(std::string_view text) {
  double value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() ||
      end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

}  // namespace concbench
