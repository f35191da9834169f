// MPI for concbench_mpi: the world of ranks started by mpirun, and how rank 0
// (which runs the suite and reports) starts a benchmark's job on the first k
// ranks while the others wait. Every rank runs the same binary, so a job is
// named by the index its handler got at static initialisation.
//
// Protocol: rank 0 broadcasts a Job to the world; ranks below job.ranks run
// the job's handler on Ranks(job.ranks) until the job's own end signal, the
// others go straight back to waiting. A Job with no handler ends the wait.
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace concbench::mpi {

// What rank 0 asks the other ranks to run: a handler and its arguments.
struct Job {
  std::int32_t handler = -1;  // -1: stop serving
  std::int32_t ranks = 0;     // the job runs on ranks [0, ranks)
  std::array<std::int64_t, 6> args{};
};

// A job's side on a rank other than 0; returns when rank 0 ends the job.
using RankJob = void (*)(const Job& job, MPI_Comm comm);

// Adds a handler (at static initialisation, as CONCBENCH_WORKLOAD does);
// returns the index that names it in a Job.
std::int32_t AddRankJob(RankJob handler);

// MPI_Init and MPI_Finalize around the process; one per process, in main.
// Creates the communicator of the first k ranks for every k (collective).
class World {
 public:
  World(int* argc, char*** argv);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;
};

int Rank();  // this rank in MPI_COMM_WORLD
int Size();  // ranks in MPI_COMM_WORLD
// The communicator of ranks [0, k), or MPI_COMM_NULL on a rank outside it.
MPI_Comm Ranks(int k);

// Each rank's host name, in rank order (collective: every rank calls it).
std::vector<std::string> RankHosts();

// Rank 0: starts `job` on ranks [0, job.ranks) and returns their
// communicator. Every started job must be ended by its own protocol.
MPI_Comm StartJob(const Job& job);
// Rank 0: tells every other rank to stop serving.
void StopServing();
// Every rank but 0: runs the jobs rank 0 starts until StopServing; a job
// that throws aborts every rank (MPI_Abort) with its message. Waits
// between jobs sleep instead of spinning, so that idle ranks leave the
// CPUs to the ranks of the running job.
void ServeJobs();

// Test seam: the rank that reports a corrupted result in every job
// (concbench_mpi --test_corrupt_rank=R), or -1.
void SetCorruptRank(int rank);
bool CorruptsResults();

// Throws std::runtime_error naming `what` when an MPI call failed.
void Check(int code, const char* what);

}  // namespace concbench::mpi
