// The one wording of a thread that could not be started, for the thread
// variants. Internal to the executors.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string_view>

namespace concbench::internal {

// "<variant>: thread <index + 1> of <count> could not be started (<why>)"
// and `then` (what became of the threads already started), if any.
inline std::runtime_error ThreadStartError(std::string_view variant,
                                           std::size_t index, std::size_t count,
                                           const std::exception& why,
                                           std::string_view then = "") {
  return std::runtime_error(fmt::format(
      "{}: thread {} of {} could not be started ({}){}{}", variant, index + 1,
      count, why.what(), then.empty() ? "" : "; ", then));
}

}  // namespace concbench::internal
