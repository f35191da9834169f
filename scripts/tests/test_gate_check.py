"""gate_check.py end to end with the stand-in binary: A/A runs and injected
slowdowns are collected, the slowed benchmark comes from --slow, and the
report counts them; bad options get one concbench: line."""

import json
import os
import shutil
import tempfile
import unittest

from tests.helpers import FAKE, run_script

SERIAL = "sum_squares/serial/tasks:100/inner:100"


class GateCheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="concbench-gate-check-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def gate_check(self, *args):
        return run_script("gate_check.py", "--quiet", "--dir", self.tmp, "--binary", FAKE,
                          "--suite", "smoke", "--repetitions", "3", "--rounds", "3", *args)

    def test_injects_into_a_chosen_benchmark_and_reports(self):
        r = self.gate_check("--runs", "1", "--slowdown-runs", "2", "--slow-factors", "1.10",
                            "--slow", "^sum_squares/serial/")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.tmp, "report.json"), encoding="utf-8") as f:
            default = json.load(f)[0]
        self.assertEqual((default["runs"], default["aa_runs"]), (3, 1))
        self.assertEqual([(i["name"], i["factor"]) for i in default["injected"]],
                         [(SERIAL, 1.1), (SERIAL, 1.1)])
        self.assertEqual(default["detection"]["1.1"]["injected_all"][1], 2)
        self.assertEqual(default["injected_by_benchmark"][f"{SERIAL} x1.1"][2], 2)
        # Coverage is counted over the A/A run only, one case per benchmark.
        cov = default["interval_coverage"]
        self.assertGreater(cov["figure"][1], 0)
        self.assertEqual(cov["figure"][1], cov["ratio"][1])
        with open(os.path.join(self.tmp, "report.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn(f"| {SERIAL} | 1.1 |", text)
        self.assertIn("- A/A runs with nothing flagged: ", text)
        self.assertIn(f"| {SERIAL} x1.1 | ", text)
        # Resumable: a second call collects nothing new.
        r = self.gate_check("--runs", "1", "--slowdown-runs", "2", "--slow-factors", "1.10",
                            "--slow", "^sum_squares/serial/")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("gate run 1/3", r.stderr)

    def test_bad_options(self):
        for args, says in ((["--slow", "("], "--slow: not a regular expression"),
                           (["--slow-factors", "1.2"], "--slow-factors takes"),
                           (["--slow", "^nothing$"], "no benchmark matches --slow")):
            r = self.gate_check("--runs", "0", "--slowdown-runs", "1", *args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertNotIn("Traceback", r.stderr)
            self.assertIn(says, r.stderr)
            self.assertEqual(r.stderr.count("concbench:"), 1, r.stderr)


if __name__ == "__main__":
    unittest.main()
