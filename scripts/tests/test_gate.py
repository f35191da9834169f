"""The regression gate's decision rule, on noise resampled from real runs.

data/real_noise.json holds, for 14 benchmarks (CPU maps at 1 and 2 workers,
a one-worker pool of tiny tasks, ping-pong latencies, thread and process
start-up, sleeps), 48 invocations each (one run of the binary, 5 short
repetitions) from A/A gate runs in regress.py's default shape on the 2-vCPU reference machine while it
switched between its fast and slow states and while other work loaded it:
both kinds of noise the gate meets, within an invocation (the vCPU's state)
and between invocations (a process's layout and placement). Each trial draws
both sides of a gate run from those invocations, round by round, as
regress.py collects them, and asks the gate for its verdicts:
- with nothing changed, a run with any "slower" must be rare (the gate keeps
  the suite-wide false-alarm chance at alpha = 5%);
- a 10% slowdown of a benchmark whose minimum detectable effect is at most
  10% (a CPU-bound map and a sleep) must be caught in at least 9 of 10 such
  trials.
The draws are seeded, so the test gives the same answer on every machine.
Rebuild the fixture from a gate_check.py directory with
scripts/tests/data/make_real_noise.py.
"""

import math
import random
import unittest

from concbench import gate, regress, results, shift
from tests.helpers import data

ROUNDS = regress.ROUNDS
TRIALS = 60
CPU = "sum_squares/serial/tasks:1000/inner:10000"
SKEWED = "sum_squares_skewed/serial/tasks:3000"
SLEEP = "sleep_io/serial/tasks:8/sleep_ms:2"


def real_noise():
    """{name: [invocation values]} from the fixture."""
    run = results.load_run(data("real_noise.json"))
    out = {}
    for name, b in run.benches.items():
        rounds = sorted(set(b.rounds))
        out[name] = [[v for v, r in zip(b.values, b.rounds) if r == i] for i in rounds]
    return out


def side(name, invocations, rng, factor=1.0):
    """A Bench of ROUNDS invocations drawn from the real ones."""
    b = results.Bench(name)
    for r in range(ROUNDS):
        for v in rng.choice(invocations):
            b.values.append(v * factor)
            b.rounds.append(r)
    return b


def gate_rows(noise, rng, slowed=None, factor=1.0):
    rows = []
    for name, invocations in noise.items():
        base = side(name, invocations, rng)
        new = side(name, invocations, rng, factor if name == slowed else 1.0)
        rows.append(gate.judge(base, new, family=len(noise)))
    return gate.decide(rows)


class GateOnRealNoiseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.noise = real_noise()

    def test_the_fixture_holds_both_kinds_of_noise(self):
        # The vCPU's fast and slow states differ by about 1.8x: the
        # repetitions of the single-threaded CPU map span at least 1.5x.
        serial = [v for inv in self.noise[CPU] for v in inv]
        self.assertGreater(max(serial) / min(serial), 1.5)
        # Invocations of a one-worker pool of tiny tasks differ by more than
        # the repetitions within one.
        pool = self.noise["sum_squares/process_pool_map/tasks:1000/inner:10/workers:1/chunk:auto"]
        best = sorted(min(inv) for inv in pool)
        self.assertGreater(best[-1] / best[0], 1.3)

    def test_no_change_rarely_flags_anything(self):
        rng = random.Random(11)
        flagged = 0
        for _ in range(TRIALS):
            rows = gate_rows(self.noise, rng)
            flagged += any(r["verdict"] == gate.SLOWER for r in rows)
        print(f"\n  A/A on real noise: {flagged}/{TRIALS} trials with a false 'slower'")
        self.assertLessEqual(flagged / TRIALS, 0.05)

    def test_ten_percent_slowdown_is_caught_where_detectable(self):
        rng = random.Random(12)
        for name in (SKEWED, SLEEP):
            caught = judged = 0
            for _ in range(TRIALS):
                rows = {r["name"]: r for r in gate_rows(self.noise, rng, name, 1.10)}
                if rows[name]["mde"] is not None and rows[name]["mde"] <= 0.10:
                    judged += 1
                    caught += rows[name]["verdict"] == gate.SLOWER
            print(f"\n  10% slower {name}: caught {caught}/{judged} "
                  f"(trials with MDE <= 10%: {judged}/{TRIALS})")
            self.assertGreaterEqual(judged, TRIALS // 4, name)
            self.assertGreaterEqual(caught / judged, 0.9, name)

    def test_faster_is_never_slower(self):
        rng = random.Random(14)
        for _ in range(10):
            rows = {r["name"]: r for r in gate_rows(self.noise, rng, CPU, 0.8)}
            self.assertNotEqual(rows[CPU]["verdict"], gate.SLOWER)


def bench(values, rounds, better="lower"):
    b = results.Bench("w/v")
    b.metric = results.Metric("real_time", "s", better, "cpu")
    b.values = list(values)
    b.rounds = list(rounds)
    return b


class DecisionTest(unittest.TestCase):
    BASE = [100, 101, 99, 100.5, 99.5, 100.2, 100.1, 99.8, 100.3, 100, 99.9, 100.4]
    ROUNDS = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]

    def verdict(self, factor, better="lower", round_noise=(1.0, 1.0, 1.0, 1.0)):
        new = [x * factor * round_noise[r] for x, r in zip(self.BASE, self.ROUNDS)]
        return gate.decide([gate.judge(bench(self.BASE, self.ROUNDS, better),
                                       bench(new, self.ROUNDS, better))])[0]

    def test_verdicts(self):
        self.assertEqual(self.verdict(1.2)["verdict"], gate.SLOWER)
        self.assertEqual(self.verdict(0.8)["verdict"], gate.FASTER)
        self.assertEqual(self.verdict(1.0)["verdict"], gate.SAME)
        self.assertEqual(self.verdict(1.01)["verdict"], gate.SAME)  # within the 3% margin
        # Higher is better: a 20% higher value is faster, not slower.
        self.assertEqual(self.verdict(1.2, "higher")["verdict"], gate.FASTER)

    def test_too_few(self):
        row = gate.decide([gate.judge(bench(self.BASE, self.ROUNDS), bench([5.0, 6.0], [0, 1]))])
        self.assertEqual((row[0]["verdict"], row[0]["too_few"]), (gate.FEW, "repetitions"))
        # Enough repetitions, but two rounds a side: no test over the rounds.
        row = gate.decide([gate.judge(bench([1.0] * 6, [0, 0, 0, 1, 1, 1]),
                                      bench([1.0] * 6, [0, 0, 0, 1, 1, 1]))])
        self.assertEqual((row[0]["verdict"], row[0]["too_few"]), (gate.FEW, "rounds"))
        # One run per side is compared on its repetitions, and marked so.
        row = gate.decide([gate.judge(bench([1.0, 1.01, 0.99], [0] * 3),
                                      bench([1.0, 1.02, 0.98], [0] * 3))])
        self.assertEqual(row[0]["verdict"], gate.SAME)
        self.assertTrue(row[0]["within_run"])

    def test_noisy_benchmark_is_not_called_same(self):
        # Whole runs move by up to 12% (as invocations do here): the rounds
        # disagree too much to rule out a 10% slowdown.
        row = self.verdict(1.0, round_noise=(1.12, 0.9, 1.05, 0.95))
        self.assertEqual(row["verdict"], gate.NOISY)
        self.assertGreater(row["mde"], 0.10)

    def test_failed_benchmark(self):
        good = bench([1.0] * 6, [0, 0, 1, 1, 2, 2])
        bad = bench([1.0] * 6, [0, 0, 1, 1, 2, 2])
        bad.errors.append("verification failed")
        row = gate.decide([gate.judge(good, bad)])[0]
        self.assertEqual(row["verdict"], gate.FAILED)
        self.assertIn("new run", row["error"])

    def test_holm(self):
        self.assertEqual(gate.holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
        self.assertEqual(gate.holm([]), [])


class ShiftTest(unittest.TestCase):
    def test_rounds_not_repetitions_are_the_evidence(self):
        # Each side's run sits 20% apart from the other's in every round,
        # but the rounds disagree about the sign: no evidence either way,
        # however many repetitions each run has.
        a = [1.2] * 10 + [1.0] * 10 + [1.2] * 10 + [1.0] * 10
        b = [1.0] * 10 + [1.2] * 10 + [1.0] * 10 + [1.2] * 10
        rounds = [r for r in range(4) for _ in range(10)]
        t = shift.shift_test(a, b, rounds, rounds, "cpu", "lower")
        self.assertGreater(t.p_above, 0.3)
        self.assertAlmostEqual(t.ratio, 1.0)

    def test_detectable_shift_grows_with_noise_and_family(self):
        rng = random.Random(5)
        rounds = [r for r in range(8) for _ in range(3)]

        def detectable(sigma, family):
            a = [math.exp(rng.gauss(0, sigma)) for _ in rounds]
            b = [math.exp(rng.gauss(0, sigma)) for _ in rounds]
            return shift.shift_test(a, b, rounds, rounds, "latency", "lower",
                                    family=family).detectable
        self.assertLess(detectable(0.01, 10), detectable(0.1, 10))
        self.assertLess(detectable(0.05, 1), detectable(0.05, 300))
        # With no noise at all, only the practical margin is left.
        t = shift.shift_test([1.0] * 12, [1.0] * 12, rounds[:12], rounds[:12], "cpu",
                             "lower", margin=0.03)
        self.assertAlmostEqual(t.detectable, 1.03)
        self.assertEqual(t.ratio, 1.0)

    def test_stored_baseline(self):
        # One base invocation against four new ones, 10% slower each.
        t = shift.shift_test([1.1, 1.1, 1.1, 1.1], [1.0, 1.0], [0, 1, 2, 3], [0, 0], "cpu",
                             "lower")
        self.assertAlmostEqual(t.ratio, 1.1)
        self.assertEqual(t.df, 3)
        self.assertTrue(t.stored_baseline)
        paired = shift.shift_test([1.1] * 4, [1.0] * 4, [0, 1, 2, 3], [0, 1, 2, 3], "cpu",
                                  "lower")
        self.assertFalse(paired.stored_baseline)


if __name__ == "__main__":
    unittest.main()
