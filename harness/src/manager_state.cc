#include "manager_state.h"

#include <fmt/format.h>

#include <sstream>

namespace concbench::internal {

std::string ManagerState::Handle(const std::string& line) {
  std::istringstream in(line);
  std::string op;
  in >> op;
  std::int64_t a = 0;
  std::int64_t b = 0;
  auto args = [&](int count) {
    if (count >= 1 && !(in >> a)) return false;
    if (count >= 2 && !(in >> b)) return false;
    std::string extra;
    return !(in >> extra);
  };
  if (op == "append" && args(1)) {
    if (list_.size() >= limits_.max_list)
      return fmt::format("ERR list full (max {} items)\n", limits_.max_list);
    list_.push_back(a);
    return fmt::format("OK {}\n", list_.size());
  }
  if (op == "get" && args(1)) {
    if (a < 0 || static_cast<std::size_t>(a) >= list_.size())
      return fmt::format("ERR index {} out of range\n", a);
    return fmt::format("OK {}\n", list_[static_cast<std::size_t>(a)]);
  }
  if (op == "len" && args(0)) return fmt::format("OK {}\n", list_.size());
  if (op == "set" && args(2)) {
    if (dict_.size() >= limits_.max_dict && !dict_.contains(a))
      return fmt::format("ERR dict full (max {} keys)\n", limits_.max_dict);
    dict_[a] = b;
    return "OK\n";
  }
  if (op == "lookup" && args(1)) {
    const auto found = dict_.find(a);
    if (found == dict_.end()) return fmt::format("ERR no key {}\n", a);
    return fmt::format("OK {}\n", found->second);
  }
  return "ERR malformed request\n";
}

}  // namespace concbench::internal
