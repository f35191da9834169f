# Every dependency comes from a Debian package (scripts/deps.sh installs them)
# and is found through its own CMake package config: no vendored copies, no
# downloads, so the versions recorded in each result are the ones on the box.
find_package(Threads REQUIRED)
find_package(benchmark REQUIRED)
# Interprocess and Asio are header-only; Boost::headers is all we link.
find_package(Boost 1.74 REQUIRED)
find_package(TBB REQUIRED)
find_package(fmt REQUIRED)
# --list=json and the context inserted into each result JSON.
find_package(nlohmann_json 3 REQUIRED)
find_package(GTest REQUIRED)
