#include "failures.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace concbench {

void FailedRepetitions::RecordIfFailed(const benchmark::State& state,
                                       const std::string& name,
                                       int repetition) {
  if (!state.error_occurred()) return;
  ++count_;
  auto it =
      std::find_if(failed_.begin(), failed_.end(),
                   [&name](const auto& entry) { return entry.first == name; });
  if (it == failed_.end()) it = failed_.insert(failed_.end(), {name, {}});
  it->second.push_back(repetition);
}

std::string FailedRepetitions::Summary(std::size_t total_repetitions) const {
  if (count_ == 0) return {};
  std::string text =
      fmt::format("{} of {} repetition{} failed:", count_, total_repetitions,
                  total_repetitions == 1 ? "" : "s");
  for (std::size_t i = 0; i < failed_.size(); ++i) {
    const auto& [name, repetitions] = failed_[i];
    text += fmt::format("{} {} (repetition{} {})", i == 0 ? "" : ",", name,
                        repetitions.size() == 1 ? "" : "s",
                        fmt::join(repetitions, ", "));
  }
  return text;
}

}  // namespace concbench
