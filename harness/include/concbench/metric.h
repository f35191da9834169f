// A benchmark's primary metric: the one figure that scripts, charts, exports
// and the regression gate judge it by (JSON contract v2).
#pragma once

#include <string>
#include <string_view>

namespace concbench {

enum class Better { kLower, kHigher };

// Which estimator family the scripts apply to the metric.
enum class MetricKind {
  kCpu,         // deterministic CPU-bound work (the sum_squares maps)
  kLatency,     // a round trip or a start-up
  kThroughput,  // bytes or items per second
  kRate,        // operations per second of contended workers
  kSleep,       // dominated by timed sleeps
};

struct Metric {
  // "real_time" (Google Benchmark's wall time per iteration) or the name of
  // a counter the benchmark reports, e.g. "ns_per_op", "bytes_per_second".
  std::string name;
  // The unit of the value as the scripts read it: "s" for real_time (they
  // convert Google Benchmark's time_unit), otherwise the counter's unit.
  std::string unit;
  Better better = Better::kLower;
  MetricKind kind = MetricKind::kCpu;

  // Wall time per iteration, lower is better.
  static Metric RealTime(MetricKind kind) {
    return {"real_time", "s", Better::kLower, kind};
  }
};

std::string_view BetterName(Better better);  // "lower" | "higher"
std::string_view KindName(MetricKind kind);  // "cpu" | "latency" | ...

}  // namespace concbench
