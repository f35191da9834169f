// limits: the machine's floors, measured in the same run as everything
// else. Each timer covers the bare primitive and its check, nothing of the
// harness's own machinery; a floor that cannot be measured here (no second
// CPU, no /bin/true) is a failed row naming the reason, never a missing one.
#include <fmt/format.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "concbench/exit_code.h"
#include "concbench/floors.h"
#include "concbench/fork_helper.h"
#include "concbench/placement.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "ipc/sizes.h"
#include "limits/workload.h"

extern char** environ;

namespace concbench::limits {
namespace {

// The tiny program posix_spawn starts.
constexpr const char* kTinyProgram = "/bin/true";

// fork + _exit + waitpid inside the small helper, timed by the helper
// (manual time): neither the parent's size nor the command's trip counts.
void ForkExitWait(benchmark::State& state) {
  std::optional<ForkHelper> helper;
  if (!FailOnException(state, [&] {
        helper.emplace();
        helper->ForkExitWait(1);  // the helper's own first-fork faults
      }))
    return;
  std::int64_t forks = 0;
  const bool ran = TimedLoop(
      state,
      [&] {
        const std::int64_t ns = helper->ForkExitWait(1);
        state.SetIterationTime(static_cast<double>(ns) * 1e-9);
        ++forks;
      },
      WarmUp::kNo);
  if (ran) Verify(state, "forks", forks, state.iterations());
}

// posix_spawn of /bin/true + waitpid, from the benchmark process (posix_spawn
// does not copy the parent's page tables).
void PosixSpawnWait(benchmark::State& state) {
  TimedLoop(state, [] {
    std::string program = kTinyProgram;
    char* argv[] = {program.data(), nullptr};
    pid_t pid = 0;
    const int error =
        posix_spawn(&pid, kTinyProgram, nullptr, nullptr, argv, environ);
    if (error != 0) {
      throw std::system_error(error, std::generic_category(),
                              std::string("posix_spawn ") + kTinyProgram);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (ExitCodeFromStatus(status) != 0) {
      throw std::runtime_error(std::string(kTinyProgram) + " " +
                               DescribeExitCode(ExitCodeFromStatus(status)));
    }
  });
}

void* MarkRan(void* flag) {
  *static_cast<bool*>(flag) = true;
  return nullptr;
}

// pthread_create + pthread_join, default attributes.
void ThreadCreateJoin(benchmark::State& state) {
  TimedLoop(state, [] {
    bool ran = false;
    pthread_t thread;
    const int error = pthread_create(&thread, nullptr, &MarkRan, &ran);
    if (error != 0)
      throw std::system_error(error, std::generic_category(), "pthread_create");
    pthread_join(thread, nullptr);
    if (!ran) throw std::runtime_error("the thread did not run");
  });
}

// One round trip per iteration between this thread and a peer placed by
// `pin`; every answer is checked, and the count after the loop.
template <class PingPong>
void RoundTrips(benchmark::State& state, Pin pin) {
  std::optional<MainPlacement> placement;
  if (!FailOnException(state, [&] { placement.emplace(pin); })) return;
  std::unique_ptr<PingPong> pingpong;
  if (!FailOnException(state, [&] {
        pingpong = std::make_unique<PingPong>(placement->peer_cpu());
      }))
    return;
  const bool ran = TimedLoop(state, [&] { pingpong->Round(); });
  if (!ran) return;
  const auto expected = static_cast<std::uint64_t>(state.iterations()) + 1;
  Verify(state, "round trips", static_cast<std::uint64_t>(pingpong->rounds()),
         expected);  // + the warm-up
}

// memcpy of `size` bytes, repeated to about 1 MiB per iteration. The first
// word of the source changes every iteration and is checked in the copy;
// the whole copy is compared after the loop.
void Memcpy(benchmark::State& state, std::size_t size) {
  const auto batch = static_cast<std::int64_t>(
      std::clamp<std::size_t>((std::size_t{1} << 20) / size, 1, 4096));
  std::vector<unsigned char> source(size);
  std::vector<unsigned char> target(size);
  for (std::size_t i = 0; i < size; ++i)
    source[i] = static_cast<unsigned char>(i * 131 + 7);
  std::uint64_t sequence = 0;
  const bool ran = TimedLoop(state, [&] {
    ++sequence;
    std::memcpy(source.data(), &sequence, sizeof(sequence));
    for (std::int64_t i = 0; i < batch; ++i) {
      std::memcpy(target.data(), source.data(), size);
      benchmark::ClobberMemory();
    }
    std::uint64_t copied = 0;
    std::memcpy(&copied, target.data(), sizeof(copied));
    if (copied != sequence)
      throw std::runtime_error("memcpy left a stale first word");
  });
  if (!ran) return;
  if (!Verify(state, "copy equals source", target == source, true)) return;
  state.SetBytesProcessed(state.iterations() * batch *
                          static_cast<std::int64_t>(size));
  state.counters["size"] = static_cast<double>(size);
  state.counters["batch"] = static_cast<double>(batch);
}

// One sleep of `sleep_us` per iteration, checked to last at least that;
// `efficiency` is the requested over the measured time, as sleep_io's
// (ideal over measured makespan).
void Sleep(benchmark::State& state, std::int64_t sleep_us) {
  const std::chrono::microseconds duration(sleep_us);
  std::chrono::nanoseconds slept{0};  // by the timed sleeps
  std::int64_t sleeps = 0;            // timed sleeps
  bool warmed = false;
  const bool ran = TimedLoop(state, [&] {
    const std::chrono::nanoseconds took = FutexSleep(duration);
    if (took < duration) {
      throw std::runtime_error(fmt::format("a {} us sleep returned after {} ns",
                                           sleep_us, took.count()));
    }
    if (warmed) {
      slept += took;
      ++sleeps;
    }
    warmed = true;
  });
  if (!ran) return;
  if (!Verify(state, "sleeps", sleeps, state.iterations())) return;
  const double mean_s = std::chrono::duration<double>(slept).count() /
                        static_cast<double>(sleeps);
  state.counters["sleep_us"] = static_cast<double>(sleep_us);
  state.counters["efficiency"] = static_cast<double>(sleep_us) * 1e-6 / mean_s;
}

// The ipc throughput sizes of this run (ipc/sizes.h) get their memcpy floor.
void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  auto latency = [&specs](Name name,
                          std::function<void(benchmark::State&)> run) {
    specs.push_back({.name = std::move(name),
                     .run = std::move(run),
                     .metric = Metric::RealTime(MetricKind::kLatency),
                     .unit = benchmark::kMicrosecond});
  };
  latency(floors::ForkExitWait(), &ForkExitWait);
  specs.back().manual_time = true;
  latency(floors::PosixSpawnWait(), &PosixSpawnWait);
  latency(floors::ThreadCreateJoin(), &ThreadCreateJoin);
  for (Pin pin : floors::FutexPins()) {
    latency(floors::FutexPingPong(pin), [pin](benchmark::State& state) {
      RoundTrips<WordPingPong<FutexWaiting>>(state, pin);
    });
  }
  for (Pin pin : floors::SpinPins()) {
    latency(floors::SpinPingPong(pin), [pin](benchmark::State& state) {
      RoundTrips<WordPingPong<SpinWaiting>>(state, pin);
    });
  }
  for (Pin pin : floors::PipePins()) {
    latency(floors::PipePingPong(pin), [pin](benchmark::State& state) {
      RoundTrips<PipePingPong>(state, pin);
    });
  }
  for (std::int64_t size :
       floors::MemcpySizes(ipc::ChooseSizes(config).throughput)) {
    specs.push_back({.name = floors::Memcpy(size),
                     .run =
                         [size](benchmark::State& state) {
                           Memcpy(state, static_cast<std::size_t>(size));
                         },
                     .metric = {"bytes_per_second", "B/s", Better::kHigher,
                                MetricKind::kThroughput},
                     .unit = benchmark::kMicrosecond});
  }
  for (std::int64_t sleep_us : floors::SleepsUs()) {
    specs.push_back(
        {.name = floors::Sleep(sleep_us),
         .run = [sleep_us](benchmark::State& state) { Sleep(state, sleep_us); },
         .metric = Metric::RealTime(MetricKind::kSleep),
         .unit = benchmark::kMicrosecond});
  }
}

CONCBENCH_WORKLOAD(limits, Register);

}  // namespace
}  // namespace concbench::limits
