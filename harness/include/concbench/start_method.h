// How a process is started, as in Python's multiprocessing start methods.
// The names are the `start:` parameter of benchmark names.
#pragma once

#include <string_view>

#include "concbench/name.h"

namespace concbench {

// kNone: no processes (threads, inline). kFork: a fork of the calling
// process. kForkserver: a fork of a small server process started early
// (forkserver.h). kSpawn: a fresh exec of this binary.
enum class StartMethod { kNone, kFork, kForkserver, kSpawn };

// "none" | "fork" | "forkserver" | "spawn"
constexpr std::string_view StartMethodName(StartMethod method) {
  switch (method) {
    case StartMethod::kNone:
      return "none";
    case StartMethod::kFork:
      return "fork";
    case StartMethod::kForkserver:
      return "forkserver";
    case StartMethod::kSpawn:
      return "spawn";
  }
  return "unknown";
}

// Adds `start:<method>` to `name` unless `method` is kFork: a name without
// start: forks (the naming contract). Returns `name`.
inline Name& ParamStart(Name& name, StartMethod method) {
  if (method != StartMethod::kFork)
    name.Param("start", StartMethodName(method));
  return name;
}

}  // namespace concbench
