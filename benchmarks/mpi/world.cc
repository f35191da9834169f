#include "mpi/world.h"

#include <fmt/format.h>
#include <time.h>

#include <cstdio>
#include <exception>
#include <stdexcept>

namespace concbench::mpi {
namespace {

std::vector<RankJob>& Handlers() {
  static std::vector<RankJob> handlers;
  return handlers;
}

// comms[k]: ranks [0, k); index 0 unused.
std::vector<MPI_Comm>& Comms() {
  static std::vector<MPI_Comm> comms;
  return comms;
}

int& CorruptRank() {
  static int rank = -1;
  return rank;
}

// One Job over MPI_COMM_WORLD. Non-blocking on every rank (a non-blocking
// collective only matches another non-blocking one), so that the waiting
// ranks can poll it with sleeps between the tests.
Job BroadcastJob(Job job, bool sleep_between_polls) {
  MPI_Request request;
  Check(MPI_Ibcast(&job, sizeof(Job), MPI_BYTE, 0, MPI_COMM_WORLD, &request),
        "MPI_Ibcast of a job");
  if (!sleep_between_polls) {
    Check(MPI_Wait(&request, MPI_STATUS_IGNORE), "MPI_Wait for a job");
    return job;
  }
  for (int done = 0;;) {
    Check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test for a job");
    if (done) return job;
    const timespec pause{0, 50'000};  // 50 us: well below any job's set-up
    nanosleep(&pause, nullptr);
  }
}

}  // namespace

void Check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(
      fmt::format("{} failed: {}", what, std::string(text, length)));
}

std::int32_t AddRankJob(RankJob handler) {
  Handlers().push_back(handler);
  return static_cast<std::int32_t>(Handlers().size() - 1);
}

World::World(int* argc, char*** argv) {
  // MPI's default error handler stays: an MPI error (a rank that died, a
  // lost connection) aborts every rank and mpirun exits non-zero, rather
  // than leave ranks waiting on a protocol that can no longer finish.
  Check(MPI_Init(argc, argv), "MPI_Init");
  const int size = Size();
  const int rank = Rank();
  Comms().assign(static_cast<std::size_t>(size) + 1, MPI_COMM_NULL);
  for (int k = 1; k <= size; ++k) {
    Check(MPI_Comm_split(MPI_COMM_WORLD, rank < k ? 0 : MPI_UNDEFINED, rank,
                         &Comms()[static_cast<std::size_t>(k)]),
          "MPI_Comm_split");
  }
}

World::~World() {
  for (MPI_Comm& comm : Comms()) {
    if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
  MPI_Finalize();
}

int Rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int Size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

MPI_Comm Ranks(int k) {
  if (k < 1 || k > Size())
    throw std::out_of_range(
        fmt::format("ranks:{} asked of a world of {}", k, Size()));
  return Comms().at(static_cast<std::size_t>(k));
}

std::vector<std::string> RankHosts() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  Check(MPI_Get_processor_name(name, &length), "MPI_Get_processor_name");
  std::vector<char> all(static_cast<std::size_t>(Size()) *
                        MPI_MAX_PROCESSOR_NAME);
  Check(MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(),
                      MPI_MAX_PROCESSOR_NAME, MPI_CHAR, MPI_COMM_WORLD),
        "MPI_Allgather of the host names");
  std::vector<std::string> hosts;
  for (int r = 0; r < Size(); ++r)
    hosts.emplace_back(
        &all[static_cast<std::size_t>(r) * MPI_MAX_PROCESSOR_NAME]);
  return hosts;
}

MPI_Comm StartJob(const Job& job) {
  const MPI_Comm comm = Ranks(job.ranks);
  BroadcastJob(job, /*sleep_between_polls=*/false);
  return comm;
}

void StopServing() { BroadcastJob(Job{}, /*sleep_between_polls=*/false); }

void ServeJobs() {
  for (;;) {
    const Job job = BroadcastJob(Job{}, /*sleep_between_polls=*/true);
    if (job.handler < 0) return;
    if (Rank() >= job.ranks) continue;
    try {
      Handlers().at(static_cast<std::size_t>(job.handler))(job,
                                                           Ranks(job.ranks));
    } catch (const std::exception& e) {
      // Rank 0 waits on this rank's protocol, which cannot go on: end the
      // whole run loudly (mpirun then exits non-zero) rather than hang it.
      std::fprintf(stderr, "concbench_mpi: rank %d failed: %s\n", Rank(),
                   e.what());
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
}

void SetCorruptRank(int rank) { CorruptRank() = rank; }

bool CorruptsResults() { return CorruptRank() == Rank(); }

}  // namespace concbench::mpi
