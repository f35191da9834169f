// How a benchmark describes itself (JSON contract v2): the objects that
// `concbench --list=json` prints and that every result JSON carries as
// context.concbench.benchmarks, so that no script parses names.
#pragma once

#include <nlohmann/json.hpp>
#include <span>

#include "concbench/suite.h"

namespace concbench {

// {"name", "workload", "variant", "modes": [...], "params": {key: value},
//  "traits": {key: value}, "metric": {"name", "unit", "better", "kind"},
//  "floor": name | null}
nlohmann::ordered_json Describe(const BenchmarkSpec& spec);

// A JSON array of Describe(spec), in the given order.
nlohmann::ordered_json Describe(std::span<const BenchmarkSpec> specs);

}  // namespace concbench
