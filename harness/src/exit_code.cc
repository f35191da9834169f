#include "concbench/exit_code.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstring>

namespace concbench {

int ExitCodeFromStatus(int status) {
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::string DescribeExitCode(int exitcode) {
  if (exitcode >= 0) return fmt::format("exited with status {}", exitcode);
  return fmt::format("was killed by signal {} ({})", -exitcode,
                     strsignal(-exitcode));
}

}  // namespace concbench
