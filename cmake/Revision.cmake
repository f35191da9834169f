# The git revision goes into every result's context. It is read at configure
# time; the Makefile re-runs the configure step before every build, so a run
# never reports a stale revision.
execute_process(
  COMMAND git describe --always --dirty --abbrev=12
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  OUTPUT_VARIABLE CONCBENCH_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT CONCBENCH_REVISION)
  set(CONCBENCH_REVISION "unknown")
endif()
