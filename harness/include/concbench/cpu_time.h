// CPU time of the whole process tree: what a benchmark's `cpu_seconds`
// counter reports. Google Benchmark's own CPU time (MeasureProcessCPUTime)
// covers the threads of this process only; children are counted here.
#pragma once

#include <sys/types.h>

namespace concbench {

// CPU seconds (user + system) used so far by process `pid`, meant for a live
// child of this process (zombies included); 0 when there is no such process
// or it is not ours to read. Read from the child's CPU clock
// (clock_getcpuclockid), so the child spends nothing to report it. Once a
// child is reaped its pid may be reused: read only pids not yet reaped.
double ProcessCpuSeconds(pid_t pid);

// CPU seconds used so far by this process's threads, its reaped children
// (RUSAGE_CHILDREN), its live children (every child forked through the
// harness: Process, ProcessPool workers, task_queue workers, peers, crews)
// and the forkserver's children whose end it reported (counted from then
// on, as a reaped child). A child's time moves from the live sum to
// RUSAGE_CHILDREN when it is reaped, so differences of this value over an
// interval count every process of the tree. Call from the thread that forks
// and reaps (the benchmark's).
double ProcessTreeCpuSeconds();

namespace internal {

// Adds the CPU seconds of a child that another process reaped on this one's
// behalf (the forkserver's wait4) to ProcessTreeCpuSeconds from now on.
// Thread-safe.
void AddReapedCpuSeconds(double seconds);

}  // namespace internal

}  // namespace concbench
