#include "concbench/cpu_time.h"

#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <cstdint>

#include "concbench/cleanup.h"

namespace concbench {
namespace {

double Seconds(const timespec& time) {
  return static_cast<double>(time.tv_sec) +
         static_cast<double>(time.tv_nsec) * 1e-9;
}

double Seconds(const timeval& time) {
  return static_cast<double>(time.tv_sec) +
         static_cast<double>(time.tv_usec) * 1e-6;
}

// CPU of the children the forkserver reaped for this process.
std::atomic<std::int64_t> g_reaped_elsewhere_ns{0};

}  // namespace

namespace internal {

void AddReapedCpuSeconds(double seconds) {
  g_reaped_elsewhere_ns.fetch_add(static_cast<std::int64_t>(seconds * 1e9),
                                  std::memory_order_relaxed);
}

}  // namespace internal

double ProcessCpuSeconds(pid_t pid) {
  clockid_t clock{};
  timespec time{};
  if (clock_getcpuclockid(pid, &clock) != 0) return 0;
  if (clock_gettime(clock, &time) != 0) return 0;
  return Seconds(time);
}

double ProcessTreeCpuSeconds() {
  timespec self{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &self);
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  double total = Seconds(self) + Seconds(children.ru_utime) +
                 Seconds(children.ru_stime) +
                 static_cast<double>(
                     g_reaped_elsewhere_ns.load(std::memory_order_relaxed)) *
                     1e-9;
  internal::ForEachLiveChild(
      [&total](pid_t pid) { total += ProcessCpuSeconds(pid); });
  return total;
}

}  // namespace concbench
