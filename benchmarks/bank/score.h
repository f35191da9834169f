// What a bank benchmark reports over its measured rounds: the contended
// rate (its primary metric, as ns_per_op), fairness, and the last round's
// lost updates and balances.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "bank/bank.h"

namespace concbench::bank {

// Seconds per update of a round in its contended phase; of the whole round
// when the phase was empty (a worker finished before the last one started).
inline double SecondsPerUpdate(const RoundResult& round) {
  if (round.contended_ops > 0 && round.contended_seconds > 0)
    return round.contended_seconds / static_cast<double>(round.contended_ops);
  return round.seconds /
         static_cast<double>(std::max<std::int64_t>(round.total_ops, 1));
}

class Score {
 public:
  // A measured round.
  void Add(const RoundResult& round) {
    if (round.contended_ops > 0 && round.contended_seconds > 0) {
      contended_ops_ += round.contended_ops;
      contended_seconds_ += round.contended_seconds;
    }
    total_ops_ += round.total_ops;
    seconds_ += round.seconds;
    fewest_ = rounds_ == 0 ? round.fewest_contended
                           : std::min(fewest_, round.fewest_contended);
    most_ = std::max(most_, round.most_contended);
    if (round.most_contended > 0)
      fairness_ =
          std::min(fairness_, static_cast<double>(round.fewest_contended) /
                                  static_cast<double>(round.most_contended));
    ++rounds_;
  }

  // The counters: ops_per_second and ns_per_op (the contended rate of all
  // workers together; the whole rounds' when no round had a contended
  // phase), round_ops_per_second (from the start line to the last finish),
  // contended_share (the share of all updates made in contended phases),
  // fairness_min / fairness_max (fewest and most contended updates of one
  // worker in a round), fairness (the lowest fewest/most of a round: 1 is
  // fair; 1 too when no round had a contended phase), and the last round's
  // balances and lost updates.
  std::map<std::string, double> Counters(const RoundResult& last,
                                         int workers) const {
    const double round_rate =
        seconds_ > 0 ? static_cast<double>(total_ops_) / seconds_ : 0;
    const double rate =
        contended_seconds_ > 0
            ? static_cast<double>(contended_ops_) / contended_seconds_
            : round_rate;
    return {
        {"ops_per_second", rate},
        {"ns_per_op", rate > 0 ? 1e9 / rate : 0},
        {"round_ops_per_second", round_rate},
        {"contended_share", total_ops_ > 0
                                ? static_cast<double>(contended_ops_) /
                                      static_cast<double>(total_ops_)
                                : 0},
        {"fairness_min", static_cast<double>(fewest_)},
        {"fairness_max", static_cast<double>(most_)},
        {"fairness", fairness_},
        {"final_balance", static_cast<double>(last.final_balance)},
        {"expected_balance", static_cast<double>(last.expected_balance)},
        {"balance_error", static_cast<double>(std::abs(last.final_balance -
                                                       last.expected_balance))},
        {"lost_updates", static_cast<double>(last.lost_updates)},
        {"workers", static_cast<double>(workers)},
    };
  }

  void Report(benchmark::State& state, const RoundResult& last,
              int workers) const {
    for (const auto& [name, value] : Counters(last, workers))
      state.counters[name] = value;
  }

 private:
  std::int64_t contended_ops_ = 0;
  double contended_seconds_ = 0;
  std::int64_t total_ops_ = 0;
  double seconds_ = 0;
  std::int64_t fewest_ = 0;
  std::int64_t most_ = 0;
  double fairness_ = 1.0;
  std::int64_t rounds_ = 0;
};

}  // namespace concbench::bank
