# Every dependency comes from a Debian package (scripts/deps.sh installs them)
# and is found through its own CMake package config (RE2: pkg-config): no
# vendored copies, no downloads, so the versions recorded in each result are
# the ones on the box.
find_package(Threads REQUIRED)
find_package(benchmark REQUIRED)
# Interprocess and Asio are header-only; Boost::headers is all we link.
find_package(Boost 1.74 REQUIRED)
find_package(TBB REQUIRED)
find_package(fmt REQUIRED)
# --list=json and the context inserted into each result JSON.
find_package(nlohmann_json 3 REQUIRED)
find_package(GTest REQUIRED)
# --filter's regular expressions: RE2 matches in linear time with bounded
# memory. Debian's libre2-dev ships no CMake package config, only re2.pc.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# The manager's authentication: HMAC-SHA256 and random nonces (libssl-dev).
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
# The mpi model (benchmarks/mpi) is optional: without MPI the rest of the
# suite builds, and concbench_mpi, its make targets and tests are skipped.
# The project is C++ only, so MPI is found through its CXX component; the C
# API is all we use (MPI_CXX_SKIP_MPICXX leaves out the removed C++ bindings).
set(MPI_CXX_SKIP_MPICXX ON CACHE BOOL "Use MPI's C API only")
find_package(MPI COMPONENTS CXX QUIET)
if(NOT MPI_CXX_FOUND)
  message(STATUS "concbench: MPI not found: concbench_mpi and its tests are skipped (scripts/deps.sh installs OpenMPI)")
endif()
