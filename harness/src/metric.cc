#include "concbench/metric.h"

namespace concbench {

std::string_view BetterName(Better better) {
  return better == Better::kLower ? "lower" : "higher";
}

std::string_view KindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCpu:
      return "cpu";
    case MetricKind::kLatency:
      return "latency";
    case MetricKind::kThroughput:
      return "throughput";
    case MetricKind::kRate:
      return "rate";
    case MetricKind::kSleep:
      return "sleep";
  }
  return "unknown";
}

}  // namespace concbench
