// The bank primitives' traits table: what each one is, in one place.
// Registration (which modes and forms run), the tests (which suites a
// primitive joins) and --list=json (so check_output.py and the scripts)
// derive everything they know about a primitive from its row here.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace concbench::bank {

struct PrimitiveTraits {
  std::string_view name;  // the contract name, as benchmark names spell it
  bool is_lock;           // a mutual-exclusion lock: lock() and unlock()
  bool process_shared;    // works between forked processes: runs `processes`
  // Protects the balance, so every round must end at exactly the expected
  // balance or the run fails. A primitive that is not exact updates a tally
  // word instead (see workload.h), so its lost updates are counted exactly.
  bool exact;
  bool reference;  // also runs the seed's round, the cs and the sleep forms
};

// clang-format off
//                                                 name                     lock   shared exact  reference
inline constexpr PrimitiveTraits kNoneTraits{      "none",                  false, true,  false, true};
inline constexpr PrimitiveTraits kStdMutexTraits{  "std_mutex",             true,  false, true,  true};
inline constexpr PrimitiveTraits kSpinlockTraits{  "spinlock",              true,  false, true,  false};
inline constexpr PrimitiveTraits kAtomicTraits{    "atomic",                false, false, true,  false};
inline constexpr PrimitiveTraits kTbbSpinTraits{   "tbb_spin_mutex",        true,  false, true,  false};
inline constexpr PrimitiveTraits kTbbQueuingTraits{"tbb_queuing_mutex",     true,  false, true,  false};
inline constexpr PrimitiveTraits kIpcMutexTraits{  "ipc_mutex",             true,  true,  true,  true};
inline constexpr PrimitiveTraits kIpcSemTraits{    "ipc_semaphore",         true,  true,  true,  false};
inline constexpr PrimitiveTraits kNamedSemTraits{  "posix_named_semaphore", true,  true,  true,  false};
inline constexpr PrimitiveTraits kShmAtomicTraits{ "shm_atomic",            false, true,  true,  false};
// clang-format on

// The traits as BenchmarkSpec::traits carries them into --list=json:
// {"is_lock", "process_shared", "exact", "reference"} -> "true" | "false".
inline std::map<std::string, std::string> TraitsMap(
    const PrimitiveTraits& traits) {
  auto text = [](bool value) { return std::string(value ? "true" : "false"); };
  return {{"is_lock", text(traits.is_lock)},
          {"process_shared", text(traits.process_shared)},
          {"exact", text(traits.exact)},
          {"reference", text(traits.reference)}};
}

}  // namespace concbench::bank
