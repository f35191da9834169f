// The regular expression that chooses benchmarks by name (--filter,
// --test_slowdown). RE2 matches in time linear in the name with bounded
// memory and never recurses on the pattern, so no pattern a user types can
// hang or crash a run: a bad one is refused with a reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace re2 {
class RE2;
}

namespace concbench {

class NameFilter {
 public:
  // The longest pattern accepted, in characters.
  static constexpr std::size_t kMaxPatternLength = 4096;
  // What RE2 may use for the compiled pattern and its match cache.
  static constexpr std::int64_t kMaxMemoryBytes = 1 << 20;

  // Compiles `pattern` (RE2 syntax; empty matches every name). Throws
  // std::invalid_argument, one line saying why, for a pattern longer than
  // kMaxPatternLength, malformed, or too large for kMaxMemoryBytes.
  explicit NameFilter(std::string_view pattern);
  ~NameFilter();
  NameFilter(NameFilter&&) noexcept;
  NameFilter& operator=(NameFilter&&) noexcept;

  // True when the pattern matches anywhere in `name`.
  bool Matches(std::string_view name) const;

 private:
  std::unique_ptr<const re2::RE2> regex_;
};

}  // namespace concbench
