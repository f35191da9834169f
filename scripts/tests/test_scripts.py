"""The command-line scripts on saved fixtures: charts, summary, compare,
export, history, and one clear error line (never a traceback) on bad input."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from tests import helpers
from tests.helpers import data, run_script


class ScriptTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="concbench-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def assertCleanError(self, result, text, code=None):
        """Non-zero exit (`code` when given), and stderr is exactly one
        'concbench: ...' line."""
        self.assertNotEqual(result.returncode, 0)
        if code is not None:
            self.assertEqual(result.returncode, code, result.stderr)
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
        for stem in ("sum_squares_speedup", "sum_squares_skewed_speedup", "sleep_io_speedup",
                     "sleep_io_efficiency", "bank_forms", "ipc_pingpong", "ipc_throughput",
                     "spawn_times"):
            for fmt in ("png", "svg"):
                self.assertIn(f"{stem}.{fmt}", charts)
        with open(os.path.join(self.tmp, "charts", "bank_forms.svg"), encoding="utf-8") as f:
            svg = f.read()
        self.assertIn("Fixture CPU", svg)  # titled with the machine's context
        with open(os.path.join(self.tmp, "summary.md"), encoding="utf-8") as f:
            md = f.read()
        for text in ("## sum_squares", "tie: threads/workers:2 at 1.95x", "## bank",
                     "without a lock (none) updates were lost in 2 of 2 forms",
                     "correct primitives, contended (threads/ops:1000000/workers:2): "
                     "cheapest: atomic",
                     "## ipc", "pingpong 8 B between processes: pin:split shm_ring",
                     "fastest: asio_async at 9", "| 3.5% |"):
            self.assertIn(text, md)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "report.html")))
        with open(os.path.join(self.tmp, "scaling.json"), encoding="utf-8") as f:
            scaling = json.load(f, parse_constant=self.fail)  # strict JSON: no inf or nan
        self.assertTrue(scaling["series"])
        self.assertTrue(all(s["reason"] for s in scaling["series"] if not s["fitted"]))

    def test_absent_workloads_are_skipped(self):
        # A chart left by an earlier run is removed: it would read as this run's.
        os.makedirs(os.path.join(self.tmp, "charts"))
        with open(os.path.join(self.tmp, "charts", "bank_forms.png"), "w", encoding="utf-8"):
            pass
        r = run_script("plot.py", "--in", data("base.json"), "--out", self.tmp,
                       "--formats", "png")
        self.assertEqual(r.returncode, 0, r.stderr)
        charts = sorted(os.listdir(os.path.join(self.tmp, "charts")))
        self.assertEqual(charts, ["spawn_times.png", "sum_squares_speedup.png"])

    def test_a_run_with_failures_is_drawn_and_reported(self):
        r = run_script("plot.py", "--in", data("failed_v2.json"), "--out", self.tmp,
                       "--formats", "svg")
        self.assertCleanError(r, "1 benchmark failed, drawn as failed (first: "
                                 "sum_squares/tbb/tasks:1000/inner:10000/workers:2")
        self.assertEqual(r.returncode, 3)
        with open(os.path.join(self.tmp, "summary.md"), encoding="utf-8") as f:
            self.assertIn("FAILED: verify failed: got 41 expected 42", f.read())
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "report.html")))

    def test_history_is_optional(self):
        r = run_script("plot.py", "--in", data("base.json"), "--out", self.tmp, "--formats",
                       "png", "--history", os.path.join(self.tmp, "no-history.jsonl"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "history")))

    def test_bad_inputs(self):
        for name, text in (("empty.json", "is empty"), ("corrupt.json", "not valid JSON"),
                           ("other_tool.json", "not Google Benchmark JSON"),
                           ("nope.json", "cannot read")):
            with self.subTest(name=name):
                self.assertCleanError(run_script("plot.py", "--in", data(name), "--out",
                                                 self.tmp), text)
        self.assertCleanError(run_script("plot.py", "--in", data("base.json"), "--out",
                                         self.tmp, "--formats", "gif"), "--formats")

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
    def test_bmf_keeps_latency_and_throughput(self):
        out = os.path.join(self.tmp, "bmf.json")
        r = run_script("export.py", "--format", "bmf", data("full_v2.json"), out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            bmf = json.load(f)
        lat = bmf["sum_squares/serial/tasks:1000/inner:10000"]["latency"]
        self.assertLessEqual(lat["lower_value"], lat["value"])
        self.assertLessEqual(lat["value"], lat["upper_value"])
        self.assertTrue(3.5e6 < lat["value"] < 4.5e6, lat)  # ns
        tput = bmf["ipc/shm_ring/throughput/peer:process/size:1048576/pin:same"]
        self.assertEqual(set(tput), {"throughput"})
        self.assertTrue(1e9 < tput["throughput"]["value"] < 1e10, tput)
        bank = bmf["bank/atomic/threads/ops:100000/workers:2"]
        self.assertEqual(set(bank), {"latency", "throughput"})  # ns per update, updates/s

    def test_gab_in_both_directions(self):
        r = run_script("export.py", "--format", "gab", data("full_v2.json"), "-")
        self.assertEqual(r.returncode, 0, r.stderr)
        smaller = {row["name"]: row for row in json.loads(r.stdout)}
        self.assertEqual(set(next(iter(smaller.values()))),
                         {"name", "unit", "value", "range", "extra"})
        self.assertEqual(smaller["sum_squares/serial/tasks:1000/inner:10000"]["unit"], "ns")
        self.assertNotIn("ipc/shm_ring/throughput/peer:process/size:1048576/pin:same", smaller)
        r = run_script("export.py", "--format", "gab-bigger", data("full_v2.json"), "-")
        self.assertEqual(r.returncode, 0, r.stderr)
        bigger = {row["name"]: row for row in json.loads(r.stdout)}
        self.assertEqual(bigger["ipc/shm_ring/throughput/peer:process/size:1048576/pin:same"]
                         ["unit"], "B/s")
        self.assertEqual(bigger["bank/atomic/threads/ops:100000/workers:2 [ops_per_second]"]
                         ["unit"], "ops/s")
        self.assertNotIn("sum_squares/serial/tasks:1000/inner:10000", bigger)

    def test_legacy_file(self):
        r = run_script("export.py", "--format", "gab", data("base.json"), "-")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = json.loads(r.stdout)
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows[0]["unit"], "ns")

    def test_failed_benchmarks_refused_unless_skipped(self):
        out = os.path.join(self.tmp, "bmf.json")
        r = run_script("export.py", "--format", "bmf", data("failed_v2.json"), out)
        self.assertCleanError(r, "has 1 failed benchmark (first: sum_squares/tbb/")
        self.assertEqual(r.returncode, 3)
        self.assertFalse(os.path.exists(out))
        r = run_script("export.py", "--format", "bmf", "--skip-failed", data("failed_v2.json"),
                       out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            bmf = json.load(f)
        self.assertNotIn("sum_squares/tbb/tasks:1000/inner:10000/workers:2", bmf)
        self.assertIn("sum_squares/tbb/tasks:1000/inner:10000/workers:1", bmf)

    def test_error(self):
        self.assertCleanError(run_script("export.py", "--format", "gab", data("empty.json"),
                                         "-"), "is empty")


class BadInputTest(ScriptTestCase):
    """Every script, every kind of bad input: one line, a documented status."""
    BAD = (("empty.json", "is empty"), ("corrupt.json", "not valid JSON"),
           ("other_tool.json", "not Google Benchmark JSON"), ("nope.json", "cannot read"))

    def test_every_script_on_every_bad_file(self):
        for name, text in self.BAD:
            bad = data(name)
            for script, args in (("plot.py", ["--in", bad, "--out", self.tmp]),
                                 ("report.py", ["--in", bad, "--out",
                                                os.path.join(self.tmp, "r.html")]),
                                 ("export.py", ["--format", "bmf", bad, "-"]),
                                 ("history.py", ["append", "--in", bad, "--history",
                                                 os.path.join(self.tmp, "h.jsonl")]),
                                 ("compare.py", [data("base.json"), bad]),
                                 ("compare.py", [bad, data("base.json")]),
                                 ("regress.py", ["--baseline", bad, "--new", data("base.json")])):
                with self.subTest(script=script, file=name):
                    r = run_script(script, *args)
                    self.assertCleanError(r, text)
                    self.assertEqual(r.returncode, 2)

    def test_runs_that_cannot_be_compared(self):
        quick = data("base.json")
        full = os.path.join(self.tmp, "full-mode.json")
        with open(quick, encoding="utf-8") as f:
            run = json.load(f)
        run["context"]["concbench_mode"] = "full"
        with open(full, "w", encoding="utf-8") as f:
            json.dump(run, f)
        for script, args in (("compare.py", [quick, full]),
                             ("regress.py", ["--baseline", quick, "--new", full])):
            with self.subTest(script=script):
                r = run_script(script, *args)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn("concbench: the runs cannot be compared: concbench_mode differs",
                              r.stderr)
                self.assertNotIn("Traceback", r.stderr)

    def test_a_run_with_failures(self):
        failed = data("failed_v2.json")
        for script, args, code in (
                ("report.py", ["--in", failed, "--out", os.path.join(self.tmp, "r.html")], 3),
                ("export.py", ["--format", "gab", failed, "-"], 3),
                ("compare.py", [data("full_v2.json"), failed], 3)):
            with self.subTest(script=script):
                r = run_script(script, *args)
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn("concbench: ", r.stderr)
                self.assertNotIn("Traceback", r.stderr)


    def edited(self, name, edit):
        """A copy of the fixture `name`, changed by edit(doc)."""
        with open(data(name), encoding="utf-8") as f:
            doc = json.load(f)
        edit(doc)
        path = os.path.join(self.tmp, f"edited-{len(os.listdir(self.tmp))}-{name}")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return path

    def test_a_run_in_which_every_benchmark_failed(self):
        def fail_all(doc):
            doc["benchmarks"] = [dict(e, error_occurred=True, error_message="verify failed")
                                 for e in doc["benchmarks"] if e["run_type"] == "iteration"]
        r = run_script("compare.py", data("base.json"), self.edited("base.json", fail_all))
        self.assertEqual(r.returncode, 3, r.stderr)  # failed, not bad input
        self.assertEqual(len([x for x in r.stdout.splitlines() if x.endswith("verify failed")]),
                         4, r.stdout)

    def test_a_run_without_repetitions_on_either_side(self):
        def one_each(doc):
            doc["benchmarks"] = [e for e in doc["benchmarks"]
                                 if e["run_type"] == "iteration" and e["repetition_index"] == 0]
        one = self.edited("base.json", one_each)
        for args in ((data("base.json"), one), (one, data("base.json"))):
            with self.subTest(args=args):
                self.assertCleanError(run_script("compare.py", *args), "has no repetitions",
                                      code=2)

    def test_different_benchmark_sets(self):
        def spawn_only(doc):
            doc["benchmarks"] = [e for e in doc["benchmarks"] if e["name"].startswith("spawn/")]
        few = self.edited("base.json", spawn_only)
        self.assertCleanError(run_script("compare.py", data("base.json"), few),
                              "the benchmark sets differ (only 1 of 4 benchmarks in both)",
                              code=2)
        r = run_script("compare.py", data("base.json"), few, "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("warning: comparing unlike runs: the benchmark sets"), 2)

    def test_too_few_rounds_is_said_so(self):
        # Two runs pooled on each side: two rounds, ten repetitions each.
        def two_rounds(doc):
            doc["benchmarks"] = [dict(e, concbench_round=r) for r in (0, 1)
                                 for e in doc["benchmarks"] if e["run_type"] == "iteration"]
        pooled = self.edited("base.json", two_rounds)
        r = run_script("compare.py", pooled, pooled)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("4 benchmarks have fewer than 3 rounds shared by both sides", r.stderr)
        self.assertNotIn("repetitions per side", r.stderr)

    def test_a_failure_in_the_base_alone(self):
        r = run_script("compare.py", data("failed_v2.json"), data("full_v2.json"))
        self.assertEqual(r.returncode, 3, r.stderr)
        ours = [x for x in r.stderr.splitlines() if "failed in the base run" in x]
        self.assertEqual(ours, ["concbench: failed in the base run (not judged): "
                                "sum_squares/tbb/tasks:1000/inner:10000/workers:2"])


@unittest.skipIf(shutil.which("make") is None, "make is needed")
class MakeStatusTest(ScriptTestCase):
    """make exits 2 on any failed recipe; STATUS=file keeps the script's own."""

    def make(self, *args):
        status = os.path.join(self.tmp, "status")
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}
        r = subprocess.run(["make", "-s", "-C", helpers.ROOT, *args, f"STATUS={status}"],
                           capture_output=True, text=True, env=env, timeout=120)
        with open(status, encoding="utf-8") as f:
            return r, int(f.read())

    def test_compare_keeps_the_scripts_status(self):
        for new, code in (("new_same.json", 0), ("new_slower.json", 1), ("nope.json", 2),
                          ("failed_v2.json", 3)):
            with self.subTest(new=new):
                base = "full_v2.json" if new == "failed_v2.json" else "base.json"
                r, status = self.make("compare", f"A={data(base)}", f"B={data(new)}")
                self.assertEqual(status, code, r.stderr)
                self.assertEqual(r.returncode, 0 if code == 0 else 2, r.stderr)
                if code:
                    self.assertIn(f"Error {code}", r.stderr)

    def test_regress_keeps_the_scripts_status(self):
        r, status = self.make("regress", f"BASELINE={data('empty.json')}")
        self.assertEqual((r.returncode, status), (2, 2), r.stderr)
        self.assertIn("is empty", r.stderr)


@unittest.skipIf(shutil.which("make") is None, "make is needed")
class MakeForceTest(unittest.TestCase):
    def test_compare_passes_force(self):
        for extra, forced in ((["FORCE=1"], True), ([], False)):
            with self.subTest(extra=extra):
                # -n: make prints the recipes and runs none of them.
                r = subprocess.run(["make", "-n", "-s", "-C", helpers.ROOT, "compare",
                                    "A=a.json", "B=b.json", *extra],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                line = next(x for x in r.stdout.splitlines() if "scripts/compare.py" in x)
                self.assertEqual("--force" in line, forced, line)


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

    def test_a_run_with_failures_is_refused_unless_kept(self):
        hist = os.path.join(self.tmp, "history.jsonl")
        r = run_script("history.py", "append", "--in", data("failed_v2.json"), "--history", hist)
        self.assertCleanError(r, "not appended", code=3)
        self.assertFalse(os.path.exists(hist))
        r = run_script("history.py", "append", "--in", data("failed_v2.json"), "--history", hist,
                       "--keep-failed")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(hist, encoding="utf-8") as f:
            self.assertEqual(len(f.readlines()), 1)

    def test_corrupt_history(self):
        hist = os.path.join(self.tmp, "h.jsonl")
        with open(hist, "w", encoding="utf-8") as f:
            f.write("{not json\n")
        self.assertCleanError(run_script("history.py", "plot", "--history", hist, "--out",
                                         self.tmp), "line 1 is not valid JSON")


if __name__ == "__main__":
    unittest.main()
