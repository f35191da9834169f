// The trivial MPI program that spawn/mpirun_start_join starts under mpirun:
// this binary with kInitFinalizeFlag as its first argument.
#pragma once

#include <string_view>

namespace concbench::mpi {

inline constexpr std::string_view kInitFinalizeFlag = "--init-finalize";

// MPI_Init, MPI_Finalize; returns the exit status (0).
int RunInitFinalize(int* argc, char*** argv);

}  // namespace concbench::mpi
