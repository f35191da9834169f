// How a child process ended, as a number and as words for error messages.
#pragma once

#include <string>

namespace concbench {

// Converts a waitpid status into an exit code: the exit status (>= 0), or
// minus the signal that killed the child.
int ExitCodeFromStatus(int status);

// Words for an exit code from ExitCodeFromStatus: "exited with status 3" or
// "was killed by signal 9 (Killed)".
std::string DescribeExitCode(int exitcode);

}  // namespace concbench
