// User text quoted in a one-line message (a pattern, an option, or an error
// that quotes one), cut short so that the line stays readable.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace concbench {

// `text` as given when at most 80 characters, else its first 40, "..." and
// its length.
inline std::string Abbreviate(std::string_view text) {
  constexpr std::size_t kShown = 40;
  if (text.size() <= 2 * kShown) return std::string(text);
  return fmt::format("{}... ({} characters)", text.substr(0, kShown),
                     text.size());
}

}  // namespace concbench
