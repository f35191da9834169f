# Warnings stay at zero with -Wall -Wextra; CONCBENCH_WERROR turns them into
# errors (on in the presets) so a new warning cannot land unnoticed.
option(CONCBENCH_WERROR "Treat compiler warnings as errors" OFF)

function(concbench_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(CONCBENCH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
