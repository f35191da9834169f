// concbench's entry point: parses the command line (command_line.h) and
// runs what it asks for (runner.h). See `concbench --help`.
//
// Exit status: 0 when every benchmark ran and verified; 1 when any failed;
// 2 on bad input (one line on stderr says what).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command_line.h"
#include "concbench/child_entry.h"
#include "concbench/forkserver.h"
#include "concbench/reclaim.h"
#include "concbench/settings.h"
#include "runner.h"

int main(int argc, char** argv) {
  // A fresh copy of this binary started by a workload: it must cost only
  // exec, start-up and its job, so it runs before any option or context work.
  if (const auto status = concbench::RunChildEntry(argc, argv)) return *status;
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const concbench::Options options = concbench::ParseCommandLine(args);
    if (options.help) {
      std::fputs(concbench::HelpText(concbench::DeclaredSettings()).c_str(),
                 stdout);
      return 0;
    }
    concbench::ReclaimAtStart();  // what killed runs left behind
    // Before the suite grows this process: the forkserver start method forks
    // from this small copy.
    concbench::StartForkserver();
    return concbench::RunSuite(options, argv[0]);
  } catch (const concbench::UsageError& e) {
    std::fprintf(stderr, "concbench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "concbench: %s\n", e.what());
    return 1;
  }
}
