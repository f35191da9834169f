// The round protocol most MPI jobs share: rank 0 broadcasts "go" before each
// round of a job (inside the timed region: it is the dispatch) and "stop"
// when the job ends; the other ranks run rounds until stop.
#pragma once

#include <mpi.h>

#include "mpi/world.h"

namespace concbench::mpi {

// Rank 0: starts `job` and, when destroyed, ends it with "stop", however
// the benchmark ended (a failed check, an exception in set-up).
class RoundJob {
 public:
  explicit RoundJob(const Job& job) : comm_(StartJob(job)) {}
  ~RoundJob() { End(); }
  RoundJob(const RoundJob&) = delete;
  RoundJob& operator=(const RoundJob&) = delete;

  MPI_Comm comm() const { return comm_; }
  // Starts one round on every rank of the job.
  void Go() { Signal(1); }
  // Ends the job (once; the destructor ends it if this was not called).
  void End() {
    if (ended_) return;
    ended_ = true;
    Signal(0);
  }

 private:
  void Signal(int go) {
    Check(MPI_Bcast(&go, 1, MPI_INT, 0, comm_), "MPI_Bcast of a round");
  }
  MPI_Comm comm_;
  bool ended_ = false;
};

// Every rank but 0: whether rank 0 started another round (false: the job
// ended).
inline bool NextRound(MPI_Comm comm) {
  int go = 0;
  Check(MPI_Bcast(&go, 1, MPI_INT, 0, comm), "MPI_Bcast of a round");
  return go != 0;
}

}  // namespace concbench::mpi
