"""The command-line scripts on saved fixtures: charts, summary, compare,
export, history, and one clear error line (never a traceback) on bad input."""

import json
import os
import shutil
import tempfile
import unittest

from tests.helpers import data, run_script


class ScriptTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="concbench-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def assertCleanError(self, result, text):
        """Non-zero exit, and stderr is exactly one 'concbench: ...' line."""
        self.assertNotEqual(result.returncode, 0)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("concbench: "), lines[0])
        self.assertIn(text, lines[0])
        self.assertNotIn("Traceback", result.stderr)


class PlotTest(ScriptTestCase):
    def test_every_recipe_on_the_full_fixture(self):
        r = run_script("plot.py", "--in", data("full.json"), "--out", self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        charts = set(os.listdir(os.path.join(self.tmp, "charts")))
        for stem in ("sum_squares_speedup", "sum_squares_scaling", "sum_squares_skewed_scaling",
                     "sleep_io_efficiency", "bank_throughput", "ipc_pingpong",
                     "ipc_throughput", "spawn_times"):
            for fmt in ("png", "svg"):
                self.assertIn(f"{stem}.{fmt}", charts)
        with open(os.path.join(self.tmp, "charts", "bank_throughput.svg"), encoding="utf-8") as f:
            svg = f.read()
        self.assertIn("Fixture CPU", svg)  # titled with the machine's context
        with open(os.path.join(self.tmp, "summary.md"), encoding="utf-8") as f:
            md = f.read()
        for text in ("## sum_squares", "fastest: threads/workers:2, 1.9", "## bank",
                     "wrong balance: none/threads (off by 3400)", "## ipc", "lowest latency: "
                     "shm_ring/pingpong/size:8/pin:split", "closest to ideal", "| 3.5% |"):
            self.assertIn(text, md)

    def test_absent_workloads_are_skipped(self):
        r = run_script("plot.py", "--in", data("base.json"), "--out", self.tmp,
                       "--formats", "png")
        self.assertEqual(r.returncode, 0, r.stderr)
        charts = sorted(os.listdir(os.path.join(self.tmp, "charts")))
        self.assertEqual(charts, ["spawn_times.png", "sum_squares_scaling.png",
                                  "sum_squares_speedup.png"])

    def test_bad_inputs(self):
        for name, text in (("empty.json", "is empty"), ("corrupt.json", "not valid JSON"),
                           ("other_tool.json", "not Google Benchmark JSON"),
                           ("nope.json", "cannot read")):
            with self.subTest(name=name):
                self.assertCleanError(run_script("plot.py", "--in", data(name), "--out",
                                                 self.tmp), text)

    def test_missing_matplotlib_names_the_fix(self):
        fake = os.path.join(self.tmp, "fakepkgs", "matplotlib")
        os.makedirs(fake)
        with open(os.path.join(fake, "__init__.py"), "w", encoding="utf-8") as f:
            f.write("raise ImportError('No module named matplotlib')\n")
        r = run_script("plot.py", "--in", data("base.json"), "--out", self.tmp,
                       env={"PYTHONPATH": os.path.dirname(fake)})
        self.assertCleanError(r, "scripts/deps.sh")
        self.assertIn("python3-matplotlib", r.stderr)


class CompareTest(ScriptTestCase):
    def test_slowdown_and_missing_benchmarks(self):
        r = run_script("compare.py", data("base.json"), data("new_slower.json"))
        self.assertEqual(r.returncode, 1, r.stderr)  # 1: something is slower
        line = [x for x in r.stdout.splitlines() if x.startswith("sum_squares/threads")][0]
        self.assertRegex(line, r"\+21\.\d%")
        self.assertTrue(line.endswith("slower"), line)
        self.assertIn("over 3 benchmarks", r.stdout)
        self.assertIn("1 only in base (not in new), not compared:\n"
                      "  spawn/process_pool_startup/workers:2", r.stdout)
        self.assertIn("1 only in new", r.stdout)

    def test_no_change(self):
        r = run_script("compare.py", data("base.json"), data("new_same.json"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rows = [x for x in r.stdout.splitlines() if x.startswith(("sum_squares/", "spawn/"))]
        self.assertEqual(len(rows), 4)
        for row in rows:
            self.assertTrue(row.endswith("same"), row)

    def test_errors(self):
        self.assertCleanError(run_script("compare.py", data("base.json"), data("corrupt.json")),
                              "corrupt.json is not valid JSON")
        ipc = os.path.join(self.tmp, "ipc.json")
        with open(data("full.json"), encoding="utf-8") as f:
            full = json.load(f)
        full["benchmarks"] = [e for e in full["benchmarks"] if e["name"].startswith("ipc/")]
        with open(ipc, "w", encoding="utf-8") as f:
            json.dump(full, f)
        self.assertCleanError(run_script("compare.py", data("base.json"), ipc),
                              "no benchmark in common")


class ExportTest(ScriptTestCase):
    def test_bmf(self):
        out = os.path.join(self.tmp, "bmf.json")
        r = run_script("export.py", "--format", "bmf", data("full.json"), out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            bmf = json.load(f)
        lat = bmf["sum_squares/serial/tasks:10000/inner:10000"]["latency"]
        self.assertLessEqual(lat["lower_value"], lat["value"])
        self.assertLessEqual(lat["value"], lat["upper_value"])
        self.assertTrue(3e8 < lat["value"] < 3.6e8)
        self.assertIn("throughput", bmf["bank/atomic/threads/ops:1000000/workers:2"])

    def test_gab(self):
        r = run_script("export.py", "--format", "gab", data("base.json"), "-")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = json.loads(r.stdout)
        self.assertEqual(len(rows), 4)
        self.assertEqual(set(rows[0]), {"name", "unit", "value", "range", "extra"})
        self.assertEqual(rows[0]["unit"], "ns")

    def test_error(self):
        self.assertCleanError(run_script("export.py", "--format", "gab", data("empty.json"),
                                         "-"), "is empty")


class HistoryTest(ScriptTestCase):
    def test_append_and_plot(self):
        hist = os.path.join(self.tmp, "sub", "history.jsonl")
        for name in ("base.json", "new_same.json", "new_slower.json"):
            r = run_script("history.py", "append", "--in", data(name), "--history", hist)
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(hist, encoding="utf-8") as f:
            lines = [json.loads(x) for x in f]
        self.assertEqual(len(lines), 3)
        self.assertEqual(lines[0]["revision"], "0123456789abcdef")
        self.assertIn("sum_squares/serial/tasks:1000/inner:1000", lines[0]["medians_ns"])
        out = os.path.join(self.tmp, "plots")
        r = run_script("plot.py", "--in", data("base.json"), "--out", out, "--history", hist,
                       "--formats", "png")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "history"))),
                         ["spawn.png", "sum_squares.png"])

    def test_corrupt_history(self):
        hist = os.path.join(self.tmp, "h.jsonl")
        with open(hist, "w", encoding="utf-8") as f:
            f.write("{not json\n")
        self.assertCleanError(run_script("history.py", "plot", "--history", hist, "--out",
                                         self.tmp), "line 1 is not valid JSON")


if __name__ == "__main__":
    unittest.main()
