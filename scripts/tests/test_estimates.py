"""estimates.py: every figure with an interval, speedups over serial, ratios
to floors, failures kept as failures."""

import json
import os
import shutil
import tempfile
import unittest

from concbench import estimates, results
from tests.helpers import data, run_script


def bench(name, values, better="lower", kind="cpu", floor=None, failed=False):
    b = results.Bench(name, {"metric": {"name": "real_time", "unit": "s", "better": better,
                                        "kind": kind}, "floor": floor})
    b.values = list(values)
    b.rounds = [0] * len(values)
    b.times_ns = [v * 1e9 for v in values]
    if failed:
        b.errors.append("verification failed: total is 1, expected 2")
    return b


class DeriveTest(unittest.TestCase):
    def run_of(self, *benches):
        return results.Run("test", {}, {b.name: b for b in benches})

    def test_speedup_floor_and_failure(self):
        serial = bench("w/serial/tasks:10", [2.0, 2.1, 2.05, 2.2, 2.0])
        pool = bench("w/pool/tasks:10/workers:2", [1.0, 1.05, 1.1, 1.0, 1.02])
        floor = bench("limits/fork", [0.5, 0.52, 0.51, 0.5, 0.55], kind="latency")
        start = bench("spawn/start", [1.0, 1.1, 1.05, 1.0, 1.2], kind="latency",
                      floor="limits/fork")
        broken = bench("w/broken/tasks:10/workers:2", [1.0, 1.0, 1.0], failed=True)
        d = estimates.derive(self.run_of(serial, pool, floor, start, broken))["benchmarks"]
        self.assertAlmostEqual(d["w/pool/tasks:10/workers:2"]["speedup"]["value"], 2.0)
        self.assertEqual(d["w/pool/tasks:10/workers:2"]["speedup"]["over"], "w/serial/tasks:10")
        est = d["w/serial/tasks:10"]["estimate"]
        self.assertLessEqual(est["lo"], est["value"])
        self.assertLessEqual(est["value"], est["hi"])
        self.assertAlmostEqual(d["spawn/start"]["floor_ratio"]["value"], 2.0)
        self.assertTrue(d["w/broken/tasks:10/workers:2"]["failed"])
        self.assertNotIn("estimate", d["w/broken/tasks:10/workers:2"])
        self.assertNotIn("speedup", d["w/serial/tasks:10"])

    def test_a_sleeping_map_reads_against_one_sleep_by_stretch(self):
        # 100 sleeps of 1 ms at efficiency 0.95 against a 1 ms sleep at 0.98:
        # 0.98 / 0.95 from the floor, not a makespan over one sleep (~100x).
        floor = bench("limits/sleep/sleep_us:1000", [0.00102] * 5, kind="latency")
        floor.counters["efficiency"] = [0.98] * 5
        serial = bench("sleep_io/serial/tasks:100/sleep_ms:1", [0.105] * 5, kind="sleep",
                       floor="limits/sleep/sleep_us:1000")
        serial.counters["efficiency"] = [0.95] * 5
        d = estimates.derive(self.run_of(floor, serial))["benchmarks"]
        ratio = d["sleep_io/serial/tasks:100/sleep_ms:1"]["floor_ratio"]["value"]
        self.assertAlmostEqual(ratio, 0.98 / 0.95)

    def test_unstable_flag(self):
        wild = bench("w/serial/x:1", [1.0, 2.0, 1.5, 1.9, 1.2, 1.7])
        tight = bench("w/serial/x:2", [1.0, 1.001, 1.002, 1.0, 1.001, 1.003])
        d = estimates.derive(self.run_of(wild, tight))["benchmarks"]
        self.assertTrue(d["w/serial/x:1"]["estimate"]["unstable"])
        self.assertFalse(d["w/serial/x:2"]["estimate"]["unstable"])

    def test_task_fits(self):
        jitter = [1.0, 1.01, 1.02, 1.0, 1.005]
        small = bench("w/pool/tasks:1000/workers:2", [1.5 * j for j in jitter])
        large = bench("w/pool/tasks:3000/workers:2", [3.5 * j for j in jitter])
        alone = bench("w/pool/tasks:1000/workers:1", [2.0 * j for j in jitter])
        d = estimates.derive(self.run_of(small, large, alone))
        self.assertEqual(len(d["task_fits"]), 1)  # workers:1 ran one task count
        f = d["task_fits"][0]
        self.assertEqual((f["workload"], f["variant"], f["series"], f["tasks"]),
                         ("w", "pool", "pool/workers:2", [1000.0, 3000.0]))
        self.assertEqual(f["params"], {"workers": "2"})
        self.assertAlmostEqual(f["per_task"]["value"], 0.001)
        self.assertAlmostEqual(f["fixed"]["value"], 0.5)
        for part in ("fixed", "per_task"):
            self.assertLessEqual(f[part]["lo"], f[part]["value"])
            self.assertLessEqual(f[part]["value"], f[part]["hi"])


class ScriptTest(unittest.TestCase):
    def test_writes_the_file(self):
        tmp = tempfile.mkdtemp(prefix="concbench-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        out = os.path.join(tmp, "estimates.json")
        r = run_script("estimates.py", "--in", data("full.json"), "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            d = json.load(f)
        self.assertIn("sum_squares/serial/tasks:10000/inner:10000", d["benchmarks"])
        r = run_script("estimates.py", "--in", data("corrupt.json"), "--out", out)
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("concbench: "))


if __name__ == "__main__":
    unittest.main()
