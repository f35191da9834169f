#include "concbench/describe.h"

namespace concbench {

nlohmann::ordered_json Describe(const BenchmarkSpec& spec) {
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  for (const auto& [key, value] : spec.name.params()) params[key] = value;
  nlohmann::ordered_json traits = nlohmann::ordered_json::object();
  for (const auto& [key, value] : spec.traits) traits[key] = value;
  return {
      {"name", spec.name.str()},
      {"workload", spec.name.workload()},
      {"variant", spec.name.variant()},
      {"modes", spec.name.modes()},
      {"params", params},
      {"traits", traits},
      {"metric",
       {{"name", spec.metric.name},
        {"unit", spec.metric.unit},
        {"better", BetterName(spec.metric.better)},
        {"kind", KindName(spec.metric.kind)}}},
      {"floor", spec.floor.empty() ? nlohmann::ordered_json(nullptr)
                                   : nlohmann::ordered_json(spec.floor)},
  };
}

nlohmann::ordered_json Describe(std::span<const BenchmarkSpec> specs) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const BenchmarkSpec& spec : specs) list.push_back(Describe(spec));
  return list;
}

}  // namespace concbench
