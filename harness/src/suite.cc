#include "concbench/suite.h"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "concbench/cpu_time.h"

namespace concbench {
namespace {

std::vector<std::pair<std::string, WorkloadRegistrar>>& Workloads() {
  static std::vector<std::pair<std::string, WorkloadRegistrar>> workloads;
  return workloads;
}

}  // namespace

std::string_view ModeName(SuiteMode mode) {
  switch (mode) {
    case SuiteMode::kFull:
      return "full";
    case SuiteMode::kQuick:
      return "quick";
    case SuiteMode::kSmoke:
      return "smoke";
  }
  return "unknown";
}

std::vector<int> SuiteConfig::WorkerCounts() const {
  if (!workers.empty()) return workers;
  std::vector<int> counts;
  for (int workers = 1; workers <= 2 * cores; ++workers)
    counts.push_back(workers);
  return counts;
}

std::vector<int> SuiteConfig::FewWorkerCounts() const {
  if (!workers.empty()) return workers;
  if (cores == 1) return {1};
  return {1, cores};
}

std::int64_t SuiteConfig::Setting(std::string_view key) const {
  return SettingValue(key, mode, settings);
}

bool SuiteConfig::IsSet(std::string_view key) const {
  return settings.contains(std::string(key));
}

std::int64_t ForMode(SuiteMode mode, std::int64_t full, std::int64_t quick,
                     std::int64_t smoke) {
  switch (mode) {
    case SuiteMode::kFull:
      return full;
    case SuiteMode::kQuick:
      return quick;
    case SuiteMode::kSmoke:
      return smoke;
  }
  return full;
}

std::int64_t SuiteConfig::Size(std::int64_t full, std::int64_t quick,
                               std::int64_t smoke) const {
  return ForMode(mode, full, quick, smoke);
}

bool AddWorkload(std::string_view workload, WorkloadRegistrar registrar,
                 std::span<const SettingInfo> settings) {
  Workloads().emplace_back(std::string(workload), registrar);
  DeclareSettings(settings);
  return true;
}

std::vector<BenchmarkSpec> BuildSuite(const SuiteConfig& config) {
  ValidateSettings(config.settings);
  std::vector<BenchmarkSpec> specs;
  for (const auto& [workload, registrar] : Workloads()) {
    registrar(config, specs);
  }
  for (const BenchmarkSpec& spec : specs) {
    if (spec.metric.name.empty() || spec.metric.unit.empty()) {
      throw std::logic_error(
          fmt::format("{} declares no primary metric (BenchmarkSpec::metric)",
                      spec.name.str()));
    }
  }
  return specs;
}

PausedTiming::PausedTiming(benchmark::State& state)
    : state_(state), meter_(internal::ActiveCpuMeter()) {
  if (meter_ == nullptr) return;  // the untimed warm-up run
  state_.PauseTiming();
  meter_->Stop();
}

PausedTiming::~PausedTiming() {
  if (meter_ == nullptr) return;
  meter_->Start();
  state_.ResumeTiming();
}

void SetTestSlowdown(double factor) { internal::TestSlowdown() = factor; }

namespace internal {

double& TestSlowdown() {
  static double factor = 1.0;
  return factor;
}

void CpuMeter::Start() { started_ = ProcessTreeCpuSeconds(); }

void CpuMeter::Stop() { seconds_ += ProcessTreeCpuSeconds() - started_; }

CpuMeter*& ActiveCpuMeter() {
  static CpuMeter* meter = nullptr;
  return meter;
}

void StretchSince(std::int64_t start_ns) {
  // Busy-wait rather than sleep: the stretch must be exact and must not
  // depend on the scheduler's wake-up latency.
  const auto elapsed = NowNs() - start_ns;
  const auto until =
      start_ns + static_cast<std::int64_t>(elapsed * TestSlowdown());
  while (NowNs() < until) {
  }
}

}  // namespace internal
}  // namespace concbench
