// The machine's floors: the names of the limits workload's benchmarks, which
// the limits workload registers and other benchmarks name as their floor
// (BenchmarkSpec::floor), so that a ratio to the floor is read from one run.
// Round trips are placed as ipc's peers are (placement.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concbench/name.h"
#include "concbench/placement.h"

namespace concbench {
struct ChannelInfo;
}  // namespace concbench

namespace concbench::floors {

// Which limits round trip bounds a channel's ping-pong from below: the
// ChannelInfo trait `pingpong_floor`.
enum class RoundTrip {
  kNone,  // no floor
  kPipe,  // PipePingPong: a channel whose round trip is a kernel pipe's
  kSpin,  // SpinPingPong: a channel that spins on shared cache lines
};

// fork + _exit + waitpid from a small helper process (ForkHelper).
Name ForkExitWait();
// posix_spawn of a tiny program (/bin/true) + waitpid.
Name PosixSpawnWait();
// pthread_create + pthread_join of a thread that only marks that it ran.
Name ThreadCreateJoin();
// Two threads hand a counter back and forth through a futex (same, split).
Name FutexPingPong(Pin pin);
// Two threads hand a counter back and forth through one spinning cache line
// (split only: on one CPU a spinner waits out its time slice).
Name SpinPingPong(Pin pin);
// Two threads echo 8 bytes through two blocking pipes (same, split, none).
Name PipePingPong(Pin pin);
// memcpy of `size` bytes between two buffers, bytes per second.
Name Memcpy(std::int64_t size);
// A sleep of `sleep_us` as sleep_io's tasks sleep: futex waits with a
// relative timeout until a steady-clock deadline; real time per sleep.
Name Sleep(std::int64_t sleep_us);

// The placements each measures, in the order the limits workload registers.
std::vector<Pin> FutexPins();
std::vector<Pin> SpinPins();
std::vector<Pin> PipePins();
// The memcpy sizes, ascending: ipc's 8 B, 32 KiB and 1 MiB, and every size
// in `throughput_sizes` (the sizes of a run's ipc throughput rows).
std::vector<std::int64_t> MemcpySizes(
    std::span<const std::size_t> throughput_sizes = {});
// The sleeps: 1 ms, sleep_io's default task sleep.
std::vector<std::int64_t> SleepsUs();

// The floor of `channel`'s round trip at `pin`: the limits round trip its
// `pingpong_floor` trait names, or "" where it has none or the limits
// workload does not measure that round trip at `pin`.
std::string ChannelPingPong(const ChannelInfo& channel, Pin pin);
// The floor of a channel's one-way throughput at `size`: memcpy at that
// size, which the limits workload measures at every size of the run's ipc
// throughput rows (MemcpySizes).
std::string ChannelThroughput(std::int64_t size);
// The floor of a task that sleeps `sleep_us` the way Sleep does (sleep_io's
// map variants): that sleep, or "" where the limits workload measures no
// sleep of that length.
std::string TaskSleep(std::int64_t sleep_us);

}  // namespace concbench::floors
