// The dash-separated fields of a run-scoped object name
// ("concbench-<run>-<pid>-<n>-<start>-<pidns>-<boot><random>"), for tests
// that forge the names of other owners.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace concbench {

inline std::vector<std::string> NameFields(const std::string& name) {
  std::vector<std::string> fields;
  std::size_t from = 0;
  for (std::size_t dash; (dash = name.find('-', from)) != std::string::npos;
       from = dash + 1)
    fields.push_back(name.substr(from, dash - from));
  fields.push_back(name.substr(from));
  return fields;
}

// `name` with its field `index` replaced by `value`.
inline std::string WithField(const std::string& name, std::size_t index,
                             const std::string& value) {
  std::vector<std::string> fields = NameFields(name);
  fields.at(index) = value;
  std::string joined = fields[0];
  for (std::size_t i = 1; i < fields.size(); ++i) joined += "-" + fields[i];
  return joined;
}

}  // namespace concbench
