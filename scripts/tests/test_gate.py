"""The regression gate's decision rule, on noise resampled from a real run.

data/real_noise.json holds 60 short repetitions each of 15 benchmarks (CPU
maps at 1 and 2 workers, ping-pong latencies, thread and process start-up,
sleeps), run on the 2-vCPU reference machine while it switched between its
fast and slow states (see the spread of each benchmark's repetitions). Each
trial draws both sides of a gate run from those repetitions, round by round,
as regress.py would collect them, and asks the gate for its verdicts:
- with nothing changed, a run with any "slower" must be rare (the gate keeps
  the suite-wide false-alarm chance at alpha = 5%);
- a 10% slowdown of one benchmark whose minimum detectable effect is at most
  10% must be caught in at least 9 of 10 trials.
The draws are seeded, so the test gives the same answer on every machine.
"""

import math
import random
import unittest

from concbench import gate, results, stats
from tests.helpers import data

ROUNDS = 3
REPS = 10  # per round and side
TRIALS = 60


def real_noise():
    run = results.load_run(data("real_noise.json"))
    return {name: b.values for name, b in run.benches.items()}


def side(name, pool, rng, factor=1.0):
    """A Bench whose repetitions are ROUNDS x REPS draws from pool."""
    b = results.Bench(name)
    for r in range(ROUNDS):
        for _ in range(REPS):
            b.values.append(rng.choice(pool) * factor)
            b.rounds.append(r)
    return b


def gate_rows(noise, rng, slowed=None, factor=1.0):
    rows = []
    for name, pool in noise.items():
        base = side(name, pool, rng)
        new = side(name, pool, rng, factor if name == slowed else 1.0)
        rows.append(gate.judge(base, new))
    return gate.decide(rows)


class GateOnRealNoiseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.noise = real_noise()
        cls.saved_resamples = stats.RESAMPLES
        stats.RESAMPLES = 400  # enough for the test, and it keeps it short

    @classmethod
    def tearDownClass(cls):
        stats.RESAMPLES = cls.saved_resamples

    def test_the_fixture_holds_both_machine_states(self):
        # The fast and slow states differ by about 1.8x: the repetitions of
        # the single-threaded CPU benchmark span at least 1.5x.
        serial = self.noise["sum_squares/serial/tasks:1000/inner:10000"]
        self.assertGreater(max(serial) / min(serial), 1.5)

    def test_no_change_rarely_flags_anything(self):
        rng = random.Random(11)
        flagged = 0
        for _ in range(TRIALS):
            rows = gate_rows(self.noise, rng)
            flagged += any(r["verdict"] == gate.SLOWER for r in rows)
        print(f"\n  A/A on real noise: {flagged}/{TRIALS} trials with a false 'slower'")
        self.assertLessEqual(flagged / TRIALS, 0.10)

    def test_ten_percent_slowdown_is_caught_where_detectable(self):
        rng = random.Random(12)
        name = "sum_squares/serial/tasks:1000/inner:10000"
        caught = judged = 0
        for _ in range(TRIALS):
            rows = {r["name"]: r for r in gate_rows(self.noise, rng, name, 1.10)}
            if rows[name]["mde"] <= 0.10:
                judged += 1
                caught += rows[name]["verdict"] == gate.SLOWER
        print(f"\n  10% slower on real noise: caught {caught}/{judged} "
              f"(trials with MDE <= 10%: {judged}/{TRIALS})")
        self.assertGreaterEqual(judged, TRIALS // 2)
        self.assertGreaterEqual(caught / judged, 0.9)

    def test_faster_is_never_slower(self):
        rng = random.Random(14)
        name = "sum_squares/serial/tasks:1000/inner:10000"
        for _ in range(10):
            rows = {r["name"]: r for r in gate_rows(self.noise, rng, name, 0.8)}
            self.assertNotEqual(rows[name]["verdict"], gate.SLOWER)


class DecisionTest(unittest.TestCase):
    def bench(self, values, rounds=None, better="lower"):
        b = results.Bench("w/v")
        b.metric = results.Metric("real_time", "s", better, "cpu")
        b.values = list(values)
        b.rounds = list(rounds) if rounds else [0] * len(values)
        return b

    def test_verdicts(self):
        base = [100, 101, 99, 100.5, 99.5, 100.2, 100.1, 99.8, 100.3]
        rounds = [0, 0, 0, 1, 1, 1, 2, 2, 2]
        b = self.bench(base, rounds)

        def verdict(factor, better="lower"):
            new = self.bench([x * factor for x in base], rounds, better)
            old = self.bench(base, rounds, better)
            return gate.decide([gate.judge(old, new)])[0]

        self.assertEqual(verdict(1.2)["verdict"], gate.SLOWER)
        self.assertEqual(verdict(0.8)["verdict"], gate.FASTER)
        self.assertEqual(verdict(1.0)["verdict"], gate.SAME)
        self.assertEqual(verdict(1.01)["verdict"], gate.SAME)  # within the 3% margin
        # Higher is better: a 20% higher value is faster, not slower.
        self.assertEqual(verdict(1.2, "higher")["verdict"], gate.FASTER)
        row = gate.decide([gate.judge(b, self.bench([5.0, 6.0]))])[0]
        self.assertEqual(row["verdict"], gate.FEW)

    def test_noisy_benchmark_is_not_called_same(self):
        rng = random.Random(3)
        base = [rng.choice([1.0, 1.8]) for _ in range(9)]
        new = [rng.choice([1.0, 1.8]) for _ in range(9)]
        row = gate.decide([gate.judge(self.bench(base), self.bench(new))])[0]
        self.assertEqual(row["verdict"], gate.NOISY)
        self.assertGreater(row["mde"], 0.10)

    def test_failed_benchmark(self):
        good = self.bench([1.0] * 6)
        bad = self.bench([1.0] * 6)
        bad.errors.append("verification failed")
        row = gate.decide([gate.judge(good, bad)])[0]
        self.assertEqual(row["verdict"], gate.FAILED)
        self.assertIn("new run", row["error"])

    def test_holm(self):
        self.assertEqual(gate.holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
        self.assertEqual(gate.holm([]), [])

    def test_mde_grows_with_noise_and_family(self):
        self.assertLess(gate.mde(0.01, 0.03, 0.05, 10), gate.mde(0.02, 0.03, 0.05, 10))
        self.assertLess(gate.mde(0.01, 0.03, 0.05, 10), gate.mde(0.01, 0.03, 0.05, 300))
        self.assertTrue(math.isclose(gate.mde(0.0, 0.03, 0.05, 1), 0.03))


if __name__ == "__main__":
    unittest.main()
