#include "concbench/affinity.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <system_error>

namespace concbench {

std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

std::string AffinityMaskString() {
  const std::vector<int> cpus = AllowedCpus();
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", cpus[i])
                  : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return out;
}

int LogicalCores() {
  const auto count = static_cast<int>(AllowedCpus().size());
  return count > 0 ? count : 1;
}

void PinThisThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const int error = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (error != 0) {
    throw std::system_error(error, std::generic_category(),
                            fmt::format("pin to CPU {}", cpu));
  }
}

ScopedPin::ScopedPin(int cpu) {
  pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_);
  if (cpu >= 0) PinThisThread(cpu);
}

ScopedPin::~ScopedPin() {
  pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
}

}  // namespace concbench
