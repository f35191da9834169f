// The work in sum_squares must stay real: if a compiler folded the loop into
// the closed form, bound 40,000 would cost what bound 10,000 does. The ideal
// ratio is 4; the test asks for more than 2, comparing the minima of many
// short interleaved repetitions: on a shared machine whose CPUs switch
// between a fast and a slow state, the minimum of short repetitions is
// stable where a median of long ones is not.
// This file is compiled with the release optimisation level (see CMake).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "sum_squares/workload.h"

namespace concbench {
namespace {

double SecondsFor(std::uint64_t bound, int calls) {
  std::uint64_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) {
    std::uint64_t opaque = bound;
    asm volatile("" : "+r"(opaque));  // a fresh, unknown bound every call
    sink += sum_squares::SumSquaresBelow(opaque);
  }
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  asm volatile("" : : "r"(sink));
  return elapsed.count();
}

double Min(const std::vector<double>& values) {
  return *std::min_element(values.begin(), values.end());
}

TEST(LinearityTest, TimeGrowsWithTheInnerBound) {
  std::vector<double> small;
  std::vector<double> large;
  for (int rep = 0; rep < 51; ++rep) {
    small.push_back(SecondsFor(10'000, 20));
    large.push_back(SecondsFor(40'000, 20));
  }
  const double ratio = Min(large) / Min(small);
  RecordProperty("ratio", std::to_string(ratio));
  EXPECT_GT(ratio, 2.0) << "bound 40,000 took only " << ratio
                        << " times bound 10,000: the loop was folded";
}

}  // namespace
}  // namespace concbench
