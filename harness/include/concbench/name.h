// A benchmark's contract name, kept in its parts:
// <workload>/<variant>[/<mode>...][/<key>:<value>...], e.g.
// sum_squares/process_pool_map/workers:2/chunk:auto or
// ipc/pipe/pingpong/peer:process/size:8/pin:same. The parts are what
// --list=json and the result JSON describe each benchmark with, so nothing
// downstream parses names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace concbench {

class Name {
 public:
  // `variant` may carry modes after a '/': Name("ipc", "pipe/pingpong") is
  // variant "pipe" with mode "pingpong".
  Name(std::string_view workload, std::string_view variant);

  Name& Mode(std::string_view mode);
  Name& Param(std::string_view key, std::string_view value);
  Name& Param(std::string_view key, std::int64_t value);

  // The whole name: workload, variant, modes, then params in the order given.
  std::string str() const;

  const std::string& workload() const { return workload_; }
  const std::string& variant() const { return variant_; }
  const std::vector<std::string>& modes() const { return modes_; }
  const std::vector<std::pair<std::string, std::string>>& params() const {
    return params_;
  }

 private:
  std::string workload_;
  std::string variant_;
  std::vector<std::string> modes_;
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace concbench
