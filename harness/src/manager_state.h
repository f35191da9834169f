// What the manager's server holds: the list and the dictionary, within the
// bounds it was given, and the answer to each request line.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "concbench/manager.h"

namespace concbench::internal {

class ManagerState {
 public:
  explicit ManagerState(const ManagerLimits& limits) : limits_(limits) {}

  // The reply line (with its '\n') to one request line; never throws.
  // A request past a bound is refused with the bound in the reply.
  std::string Handle(const std::string& line);

 private:
  ManagerLimits limits_;
  std::vector<std::int64_t> list_;
  std::unordered_map<std::int64_t, std::int64_t> dict_;
};

}  // namespace concbench::internal
