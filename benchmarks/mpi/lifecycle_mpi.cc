// spawn/mpirun_start_join: what `mpirun -np N` costs to start N ranks of a
// trivial MPI program (this binary on its hidden --init-finalize flag:
// MPI_Init, MPI_Finalize, exit 0) and see them finish, beside the spawn
// workload's fork and posix_spawn rows. The timed region is posix_spawn of
// mpirun and its waitpid; the exit status is checked every time.
//
// The child mpirun is a job of its own: the environment this rank got from
// its own mpirun (OMPI_*, PMIX_*, OPAL_* and ORTE_* variables) is left out,
// so the child does not take itself for part of this job.
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "concbench/affinity.h"
#include "concbench/exit_code.h"
#include "concbench/suite.h"
#include "concbench/verify.h"
#include "mpi/lifecycle.h"
#include "mpi/world.h"

extern char** environ;

namespace concbench::mpi {
namespace {

std::string SelfPath() {
  std::array<char, PATH_MAX> path{};
  const ssize_t length = readlink("/proc/self/exe", path.data(), path.size());
  if (length <= 0) throw std::system_error(errno, std::generic_category());
  return std::string(path.data(), static_cast<std::size_t>(length));
}

// This process's environment without the variables of its own MPI job.
std::vector<std::string> ChildEnvironment() {
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    bool ours = false;
    for (const std::string_view prefix : {"OMPI_", "PMIX_", "OPAL_", "ORTE_"})
      ours |= variable.starts_with(prefix);
    if (!ours) out.emplace_back(variable);
  }
  return out;
}

// The mpirun command line for `ranks` ranks of the trivial program, with
// the switches scripts/mpi_run.sh would add.
std::vector<std::string> Command(int ranks) {
  std::vector<std::string> command = {"mpirun", "--bind-to", "none"};
  if (geteuid() == 0) command.emplace_back("--allow-run-as-root");
  if (ranks > LogicalCores()) command.emplace_back("--oversubscribe");
  command.insert(command.end(), {"-np", std::to_string(ranks), SelfPath(),
                                 std::string(kInitFinalizeFlag)});
  return command;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void Run(benchmark::State& state, int ranks) {
  std::vector<std::string> command;
  std::vector<std::string> environment;
  if (!FailOnException(state, [&] {
        command = Command(ranks);
        environment = ChildEnvironment();
      }))
    return;
  std::vector<char*> argv = Pointers(command);
  std::vector<char*> envp = Pointers(environment);
  const bool ran = TimedLoop(
      state,
      [&] {
        pid_t pid = 0;
        const int error = posix_spawnp(&pid, "mpirun", nullptr, nullptr,
                                       argv.data(), envp.data());
        if (error != 0)
          throw std::system_error(error, std::generic_category(),
                                  "posix_spawnp mpirun");
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        const int code = ExitCodeFromStatus(status);
        if (code != 0) {
          throw std::runtime_error(
              fmt::format("mpirun -np {} of the trivial program {}", ranks,
                          DescribeExitCode(code)));
        }
      },
      WarmUp::kNo);
  if (!ran) return;
  state.counters["ranks"] = ranks;
}

void Register(const SuiteConfig& config, std::vector<BenchmarkSpec>& specs) {
  // One mpirun takes a large part of a second: quick mode keeps one count.
  std::vector<int> counts = config.FewWorkerCounts();
  if (config.mode == SuiteMode::kQuick) counts = {counts.back()};
  if (config.mode == SuiteMode::kSmoke) counts = {1};
  for (const int ranks : counts) {
    specs.push_back(
        {.name = Name("spawn", "mpirun_start_join").Param("ranks", ranks),
         .run = [ranks](benchmark::State& state) { Run(state, ranks); },
         .metric = Metric::RealTime(MetricKind::kLatency),
         .traits = {{"runs_in", "processes"}, {"start_method", "mpirun"}}});
  }
}

CONCBENCH_WORKLOAD(spawn_mpi, Register);

}  // namespace

int RunInitFinalize(int* argc, char*** argv) {
  Check(MPI_Init(argc, argv), "MPI_Init");
  MPI_Finalize();
  return 0;
}

}  // namespace concbench::mpi
