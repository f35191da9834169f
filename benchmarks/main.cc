// concbench's entry point: parses the command line (command_line.h) and
// runs what it asks for (runner.h). See `concbench --help`.
//
// Exit status: 0 when every benchmark ran and verified; 1 when any failed;
// 2 on bad input (one line on stderr says what).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "command_line.h"
#include "concbench/settings.h"
#include "runner.h"
#include "spawn/child_exit.h"

int main(int argc, char** argv) {
  // A fresh copy of this binary started by the spawn workload: it must cost
  // only exec and start-up, so it returns before any option or context work.
  if (argc == 2 && std::strcmp(argv[1], concbench::kChildExitFlag) == 0)
    return 0;
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const concbench::Options options = concbench::ParseCommandLine(args);
    if (options.help) {
      std::fputs(concbench::HelpText(concbench::DeclaredSettings()).c_str(),
                 stdout);
      return 0;
    }
    return concbench::RunSuite(options, argv[0]);
  } catch (const concbench::UsageError& e) {
    std::fprintf(stderr, "concbench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "concbench: %s\n", e.what());
    return 1;
  }
}
