#include "name_filter.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <stdexcept>

#include "abbreviate.h"

namespace concbench {

NameFilter::NameFilter(std::string_view pattern) {
  if (pattern.size() > kMaxPatternLength) {
    throw std::invalid_argument(
        fmt::format("the pattern has {} characters; at most {} are accepted",
                    pattern.size(), kMaxPatternLength));
  }
  RE2::Options options;
  options.set_max_mem(kMaxMemoryBytes);
  // Errors are ours to report, in one line: RE2 would log them to stderr.
  options.set_log_errors(false);
  const std::string_view chosen = pattern.empty() ? "." : pattern;
  auto regex = std::make_unique<const re2::RE2>(
      re2::StringPiece(chosen.data(), chosen.size()), options);
  if (regex->error_code() == RE2::ErrorPatternTooLarge) {
    throw std::invalid_argument(
        fmt::format("too large: RE2 would need more than the {} MiB allowed",
                    kMaxMemoryBytes >> 20));
  }
  if (!regex->ok()) {
    throw std::invalid_argument(fmt::format(
        "not a valid RE2 regular expression: {}", Abbreviate(regex->error())));
  }
  regex_ = std::move(regex);
}

NameFilter::~NameFilter() = default;
NameFilter::NameFilter(NameFilter&&) noexcept = default;
NameFilter& NameFilter::operator=(NameFilter&&) noexcept = default;

bool NameFilter::Matches(std::string_view name) const {
  return RE2::PartialMatch(re2::StringPiece(name.data(), name.size()), *regex_);
}

}  // namespace concbench
