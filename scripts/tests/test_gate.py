"""The regression gate's decision rule on synthetic repetitions.

Noise model (the stated assumption): each repetition's time is the true time
times exp(N(0, 0.03)), i.e. lognormal with a CV of about 3%, independent
between repetitions. The gate pools QUICK_REPETITIONS repetitions from each of
ROUNDS interleaved rounds per side. With that model the rule (median change of
at least 5% AND one-sided Mann-Whitney U p < 0.05) must raise at most 5% false
alarms when nothing changed and catch at least 95% of 10% slowdowns.
"""

import math
import random
import unittest

from concbench import gate
from concbench import results

QUICK_REPETITIONS = 3   # conservative: the quick suite runs at least this many
ROUNDS = 3              # regress.py's default
N = QUICK_REPETITIONS * ROUNDS
SIGMA = 0.03
TRIALS = 1000


def rate(slowdown, seed, n=N, sigma=SIGMA, trials=TRIALS):
    """Fraction of trials in which the gate says 'slower'."""
    rng = random.Random(seed)
    hits = 0
    for _ in range(trials):
        base = [100.0 * math.exp(rng.gauss(0, sigma)) for _ in range(n)]
        new = [100.0 * slowdown * math.exp(rng.gauss(0, sigma)) for _ in range(n)]
        hits += gate.decide(base, new, threshold=0.05, alpha=0.05)[0] == "slower"
    return hits / trials


class GateRateTest(unittest.TestCase):
    def test_no_change_rarely_alarms(self):
        false_alarms = rate(1.0, seed=11)
        print(f"\n  A vs A, n={N}/side, CV 3%: false alarms {false_alarms:.1%}")
        self.assertLessEqual(false_alarms, 0.05)

    def test_ten_percent_slowdown_is_caught(self):
        detected = rate(1.10, seed=12)
        print(f"\n  10% slower, n={N}/side, CV 3%: detected {detected:.1%}")
        self.assertGreaterEqual(detected, 0.95)

    def test_small_change_below_threshold_is_not_flagged(self):
        # a real but tiny 2% change is significant yet below the effect size
        self.assertLessEqual(rate(1.02, seed=13, trials=300), 0.05)

    def test_faster_is_never_slower(self):
        self.assertEqual(rate(0.85, seed=14, trials=200), 0.0)


class DecideTest(unittest.TestCase):
    def test_verdicts(self):
        base = [100, 101, 99, 100.5, 99.5, 100.2]
        self.assertEqual(gate.decide(base, [x * 1.2 for x in base])[0], "slower")
        self.assertEqual(gate.decide(base, [x * 0.8 for x in base])[0], "faster")
        self.assertEqual(gate.decide(base, list(base))[0], "same")
        self.assertEqual(gate.decide([5.0] * 4, [5.0] * 4)[0], "same")
        self.assertEqual(gate.decide([100], [200])[0], "too few reps")

    def test_compare_runs_flags_too_few_reps(self):
        a = results.Run("a", {}, {"w/v": results.Bench("w/v")})
        b = results.Run("b", {}, {"w/v": results.Bench("w/v")})
        a.benches["w/v"].times_ns = [1.0, 1.1]
        b.benches["w/v"].times_ns = [2.0, 2.1]
        rows, _, _ = gate.compare_runs(a, b)
        self.assertEqual(rows[0]["verdict"], "too few reps")  # 2 vs 2: min p is 1/6


if __name__ == "__main__":
    unittest.main()
