// concbench_mpi's entry point, run by mpirun on every rank: rank 0 parses
// the command line and runs the MPI workloads through the suite's runner
// (the same options, output and exit statuses as concbench); every other
// rank serves the jobs rank 0 starts. The context records the ranks and the
// host each one runs on (mpi_ranks, mpi_hosts, mpi_library).
//
// Test-only: --test_corrupt_rank=R makes rank R report a wrong part in every
// job, so that the tests see a wrong result fail on rank 0.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <mpi.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command_line.h"
#include "concbench/settings.h"
#include "mpi/lifecycle.h"
#include "mpi/world.h"
#include "runner.h"

namespace {

constexpr std::string_view kCorruptFlag = "--test_corrupt_rank=";

// The arguments without the test seam's flag, which sets the seam.
std::vector<std::string> TakeTestFlags(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with(kCorruptFlag)) {
      concbench::mpi::SetCorruptRank(
          std::stoi(arg.substr(kCorruptFlag.size())));
    } else {
      args.push_back(arg);
    }
  }
  return args;
}

void AddMpiContext() {
  const std::vector<std::string> hosts = concbench::mpi::RankHosts();
  if (concbench::mpi::Rank() != 0) return;
  char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(version, &length);
  std::string library(version, static_cast<std::size_t>(length));
  if (const auto end = library.find_first_of(",\n"); end != std::string::npos)
    library.resize(end);
  benchmark::AddCustomContext("mpi_ranks",
                              std::to_string(concbench::mpi::Size()));
  benchmark::AddCustomContext("mpi_hosts",
                              fmt::format("{}", fmt::join(hosts, ",")));
  benchmark::AddCustomContext("mpi_library", library);
}

int RunRankZero(const std::vector<std::string>& args, const char* program) {
  try {
    const concbench::Options options = concbench::ParseCommandLine(args);
    if (options.help) {
      std::fputs(concbench::HelpText(concbench::DeclaredSettings()).c_str(),
                 stdout);
      return 0;
    }
    return concbench::RunSuite(options, program);
  } catch (const concbench::UsageError& e) {
    std::fprintf(stderr, "concbench_mpi: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "concbench_mpi: %s\n", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // The trivial program of spawn/mpirun_start_join: nothing else runs.
  if (argc == 2 && argv[1] == concbench::mpi::kInitFinalizeFlag)
    return concbench::mpi::RunInitFinalize(&argc, &argv);
  int status = 0;
  {
    const concbench::mpi::World world(&argc, &argv);
    std::vector<std::string> args;
    try {
      args = TakeTestFlags(argc, argv);
    } catch (const std::exception&) {
      std::fprintf(stderr, "concbench_mpi: --test_corrupt_rank takes a rank\n");
      status = 2;
    }
    AddMpiContext();
    if (concbench::mpi::Rank() != 0) {
      concbench::mpi::ServeJobs();
    } else {
      if (status == 0) status = RunRankZero(args, argv[0]);
      concbench::mpi::StopServing();
    }
  }
  return status;
}
