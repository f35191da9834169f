#include "concbench/name.h"

#include <fmt/format.h>

namespace concbench {

Name::Name(std::string_view workload, std::string_view variant)
    : workload_(workload) {
  const auto slash = variant.find('/');
  variant_ = variant.substr(0, slash);
  if (slash == std::string_view::npos) return;
  for (std::string_view rest = variant.substr(slash + 1);;) {
    const auto next = rest.find('/');
    Mode(rest.substr(0, next));
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
}

Name& Name::Mode(std::string_view mode) {
  modes_.emplace_back(mode);
  return *this;
}

Name& Name::Param(std::string_view key, std::string_view value) {
  params_.emplace_back(key, value);
  return *this;
}

Name& Name::Param(std::string_view key, std::int64_t value) {
  return Param(key, std::to_string(value));
}

std::string Name::str() const {
  std::string name = fmt::format("{}/{}", workload_, variant_);
  for (const std::string& mode : modes_) name += fmt::format("/{}", mode);
  for (const auto& [key, value] : params_)
    name += fmt::format("/{}:{}", key, value);
  return name;
}

}  // namespace concbench
