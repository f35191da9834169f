// bank registration follows the traits table alone: every primitive of the
// Primitives list runs with threads, with processes exactly when its row says
// process-shared, the reference forms exactly when its row says so, and
// carries its row into --list=json; time-boxed rows set their own time.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "bank/primitives.h"
#include "bank/traits.h"
#include "concbench/crew.h"
#include "concbench/suite.h"

namespace concbench::bank {
namespace {

std::vector<BenchmarkSpec> BankSpecs() {
  SuiteConfig config;
  config.mode = SuiteMode::kSmoke;
  config.cores = 2;
  std::vector<BenchmarkSpec> bank;
  for (BenchmarkSpec& spec : BuildSuite(config))
    if (spec.name.workload() == "bank") bank.push_back(std::move(spec));
  return bank;
}

bool HasParam(const BenchmarkSpec& spec, const std::string& key) {
  for (const auto& [name, value] : spec.name.params())
    if (name == key) return true;
  return false;
}

template <class P>
void ExpectRegisteredByItsRow(const std::vector<BenchmarkSpec>& specs,
                              std::set<std::string>& seen) {
  constexpr const PrimitiveTraits& kTraits = P::kTraits;
  const std::string name(kTraits.name);
  seen.insert(name);
  std::set<std::string> modes;
  bool reference_forms = false;
  for (const BenchmarkSpec& spec : specs) {
    if (spec.name.variant() != name) continue;
    ASSERT_EQ(spec.name.modes().size(), 1u) << spec.name.str();
    modes.insert(spec.name.modes()[0]);
    EXPECT_EQ(spec.traits, TraitsMap(kTraits)) << spec.name.str();
    EXPECT_EQ(spec.manual_time, HasParam(spec, "timed_ms")) << spec.name.str();
    EXPECT_EQ(spec.metric.name, "ns_per_op") << spec.name.str();
    reference_forms = reference_forms || HasParam(spec, "cs");
  }
  std::set<std::string> wanted = {
      std::string(CrewModeName(CrewMode::kThreads))};
  if (kTraits.process_shared)
    wanted.insert(std::string(CrewModeName(CrewMode::kProcesses)));
  EXPECT_EQ(modes, wanted) << name;
  EXPECT_EQ(reference_forms, kTraits.reference) << name;
}

template <class... P>
std::set<std::string> ExpectEvery(const std::vector<BenchmarkSpec>& specs,
                                  std::tuple<P...>* /*list*/) {
  std::set<std::string> seen;
  (ExpectRegisteredByItsRow<P>(specs, seen), ...);
  return seen;
}

TEST(BankRegistrationTest, EveryPrimitiveRunsAsItsRowSays) {
  const std::vector<BenchmarkSpec> specs = BankSpecs();
  const std::set<std::string> primitives =
      ExpectEvery(specs, static_cast<Primitives*>(nullptr));
  EXPECT_EQ(primitives.size(), std::tuple_size_v<Primitives>)
      << "two primitives share a name";
  for (const BenchmarkSpec& spec : specs)
    EXPECT_TRUE(primitives.contains(spec.name.variant())) << spec.name.str();
}

}  // namespace
}  // namespace concbench::bank
