"""The CPython rows (benchmarks/cpython): the runner at tiny sizes writes
JSON that results.py loads under contract names with impl:cpython; a wrong
result is an error entry and a failed run; bad input is one line; merge.py
adds the rows to a run with unique families and refuses bad input with one
line; the summary pairs CPython rows with their C++ twins. No timing is
asserted: the runs only have to finish and verify."""

import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import unittest
import unittest.mock

from tests import helpers
from tests.test_scripts import ScriptTestCase
from concbench import answers, names, results

CPYTHON = os.path.join(helpers.ROOT, "benchmarks", "cpython")
sys.path.insert(0, CPYTHON)
import bank  # noqa: E402  pylint: disable=wrong-import-position
import lifecycle  # noqa: E402  pylint: disable=wrong-import-position
import runner  # noqa: E402  pylint: disable=wrong-import-position

# A few rows of every workload and every start method, at smoke sizes.
SUBSET = ("^(sum_squares/[a-z_]+/tasks:40/inner:10/"
          "|sum_squares/process_pool_map/tasks:40/inner:100/workers:2/chunk:1/"
          "|sleep_io/(serial|threads|asio_async)/tasks:8/|bank/|ipc/(pipe|queue)/pingpong/"
          "peer:process/size:8/|ipc/manager/get/|spawn/)")
WORKLOADS = {"sum_squares", "sum_squares_skewed", "sleep_io", "bank", "ipc", "spawn"}


def run_cpython(*args, timeout=240):
    return subprocess.run([helpers.PYTHON, CPYTHON, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=helpers.ROOT)


class BankScoreTest(unittest.TestCase):
    """bank.score counts as the C++ rows (bank/score.h): the rate of the
    contended phase [last start, first finish], the whole round's when
    there is none, and exact lost updates from the tally word."""

    def test_contended_phase_and_tally(self):
        # Lap: start, finish, ops, ops at all running, ops at first finish.
        laps = [0, 1000, 100, 0, 100,      # depositor: 100 updates, all contended
                500, 1500, 100, 0, 50]     # withdrawer: 50 before the first finish
        word = (90 << bank.TALLY_SHIFT) + 95  # 10 deposits and 5 withdrawals lost
        ns, c = bank.score(word, laps, exact=False)
        self.assertEqual(ns, 1500)
        self.assertAlmostEqual(c["ns_per_op"], 500 / 150)  # [500, 1000]: 150 updates
        self.assertEqual(c["contended_share"], 150 / 200)
        self.assertEqual((c["fairness_min"], c["fairness_max"]), (50, 100))
        self.assertEqual(c["lost_updates"], 15)
        self.assertEqual(c["final_balance"], bank.INITIAL + 90 - 95)
        self.assertEqual(c["balance_error"], 5)

    def test_no_contended_phase_falls_back_to_the_round(self):
        laps = [0, 100, 10, 10, 10, 200, 300, 10, 0, 0]
        ns, c = bank.score(bank.INITIAL, laps, exact=True)
        self.assertEqual(ns, 300)
        self.assertAlmostEqual(c["ns_per_op"], 300 / 20)
        self.assertEqual(c["contended_share"], 0)
        self.assertEqual(c["lost_updates"], 0)

    def test_an_exact_form_off_balance_is_wrong(self):
        with self.assertRaises(runner.Wrong):
            bank.score(bank.INITIAL + 1, [0, 10, 1, 0, 1] * 2, exact=True)


class LoadTest(unittest.TestCase):
    """A run started on a loaded machine (1-minute load average above the
    usable cores) warns once at the start and records it, as the C++ binary
    does (context.concbench.loaded and load_avg_start)."""

    def run_at(self, load, cpus):
        lines = []
        with unittest.mock.patch.object(runner.os, "getloadavg", return_value=load), \
                unittest.mock.patch.object(runner.os, "sched_getaffinity", return_value=cpus):
            doc, ok = runner.run_all([], "smoke", 1, lines.append)
        self.assertTrue(ok)
        return doc["context"]["concbench"], lines

    def test_a_loaded_machine_warns_and_is_recorded(self):
        own, lines = self.run_at((5.0, 4.0, 3.0), {0, 1})
        self.assertTrue(own["loaded"])
        self.assertEqual(own["load_avg_start"], [5.0, 4.0, 3.0])
        self.assertEqual(lines, ["concbench: warning: the load average is 5.00 on 2 CPUs: "
                                 "other work competes with the benchmarks, so the figures "
                                 "will be noisier (recorded as context.concbench.loaded)"])

    def test_an_idle_machine_is_not_loaded(self):
        own, lines = self.run_at((1.5, 1.0, 1.0), {0, 1})
        self.assertFalse(own["loaded"])
        self.assertEqual(lines, [])


class RunnerTest(ScriptTestCase):
    def test_tiny_run_loads_and_names_parse(self):
        out = os.path.join(self.tmp, "cpython.json")
        r = run_cpython("--smoke", "--repetitions=2", f"--filter={SUBSET}", f"--out={out}")
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = run_cpython("--smoke", "--list", f"--filter={SUBSET}").stdout.split()
        run = results.load_run(out)
        self.assertEqual(sorted(run.benches), sorted(listed))
        starts = set()
        for name, b in run.benches.items():
            self.assertEqual(b.params.get("impl"), "cpython", name)
            self.assertIn(b.workload, WORKLOADS)
            self.assertTrue(b.variant)
            self.assertFalse(b.failed, (name, b.errors))
            self.assertEqual(len(b.values), 2, name)  # every repetition kept
            starts.add(b.params.get("start"))
        self.assertTrue({"fork", "forkserver", "spawn"} <= starts, starts)
        row = run.benches["bank/posix_named_semaphore/processes/ops:200/workers:2/impl:cpython"]
        self.assertEqual(row.metric.name, "ns_per_op")
        self.assertEqual(row.counters["balance_error"], [0.0, 0.0])
        self.assertEqual(row.counters["lost_updates"], [0.0, 0.0])
        self.assertIn("contended_share", row.counters)
        with open(out, encoding="utf-8") as f:
            entries = json.load(f)["benchmarks"]
        self.assertTrue(all(e["run_type"] == "iteration" for e in entries))
        # Merged into a real smoke run, each family_index still points at
        # its benchmark's description, and the run loads with both.
        merged = os.path.join(self.tmp, "merged.json")
        r = helpers.run_script("merge.py", "--into", helpers.data("smoke_v2.json"), "--add", out,
                               "--out", merged)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(merged, encoding="utf-8") as f:
            doc = json.load(f)
        described = doc["context"]["concbench"]["benchmarks"]
        for e in doc["benchmarks"]:
            self.assertIn(described[e["family_index"]]["name"], e["run_name"])
        self.assertEqual(len(results.load_run(merged).benches), len(run.benches) + len(
            results.load_run(helpers.data("smoke_v2.json")).benches))

    def test_bad_input_is_one_line(self):
        for args in (["--smoke", "--repetitions=0", "--out=x.json"],
                     ["--smoke", "--filter=(", "--out=x.json"],
                     ["--smoke", "--out=/no/such/dir/x.json"], ["--smoke"], ["--nope"]):
            r = run_cpython(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertCleanError(r, "cpython")

    def test_a_wrong_result_is_an_error_and_a_failure(self):
        def wrong():
            yield lambda: runner.expect("total", 1, 2)
        spec = runner.Spec(runner.name("sum_squares", "serial", tasks=1), contextlib.contextmanager(
            wrong), runner.metric(kind="cpu"))
        doc, ok = runner.run_all([spec], "smoke", 2, lambda line: None)
        self.assertFalse(ok)
        self.assertTrue(doc["benchmarks"][-1]["error_occurred"])
        self.assertIn("verification failed: total: got 1, expected 2",
                      doc["benchmarks"][-1]["error_message"])

    def test_a_dying_child_fails_its_benchmark_without_hanging(self):
        self.addCleanup(setattr, lifecycle, "JOIN_TIMEOUT_S", lifecycle.JOIN_TIMEOUT_S)
        lifecycle.JOIN_TIMEOUT_S = 1
        ctx = multiprocessing.get_context("fork")

        @contextlib.contextmanager
        def dying_pool_worker():
            with lifecycle.pool(ctx, 1) as p:
                yield lambda: runner.Sample(p.map_async(os._exit, [3]).get(
                    lifecycle.JOIN_TIMEOUT_S), 1)

        @contextlib.contextmanager
        def failing_child():
            def once():
                with lifecycle.reaped([ctx.Process(target=os._exit, args=(3,))]) as procs:
                    lifecycle.start_all(procs)
                    lifecycle.join_all(procs, "process_per_task")
            yield once
        specs = [runner.Spec(runner.name("x", v), fn, runner.metric())
                 for v, fn in (("pool", dying_pool_worker), ("process", failing_child))]
        doc, ok = runner.run_all(specs, "smoke", 1, lambda line: None)
        self.assertFalse(ok)
        errors = [e["error_message"] for e in doc["benchmarks"]]
        self.assertEqual(len(errors), 2, errors)
        self.assertIn("TimeoutError", errors[0])
        self.assertIn("process_per_task: a child exited with status 3", errors[1])
        self.assertEqual(multiprocessing.active_children(), [])


def cpp_entry(name, seconds, family, rep):
    return {"name": name, "run_name": name, "run_type": "iteration", "family_index": family,
            "repetitions": 3, "repetition_index": rep, "iterations": 1,
            "real_time": seconds * 1e9, "cpu_time": seconds * 1e9, "time_unit": "ns"}


def write(tmp, name, doc):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return path


class MergeTest(ScriptTestCase):
    def documents(self):
        cpp = {"context": {"concbench": {"schema": 2, "benchmarks": []}}, "benchmarks": [
            cpp_entry("sum_squares/serial/tasks:1000/inner:10000", s, 0, i)
            for i, s in enumerate((0.004,) * 3)] + [
            cpp_entry("spawn/process_start_join", s, 1, i)
            for i, s in enumerate((3e-4,) * 3)]}
        py = {"context": {"python_version": "3", "concbench": {
            "impl": "cpython", "loaded": True, "benchmarks": [
            {"name": "sum_squares/serial/tasks:40/inner:10000/impl:cpython",
             "metric": runner.metric(kind="cpu")}]}},
              "benchmarks": [dict(cpp_entry("sum_squares/serial/tasks:40/inner:10000/impl:cpython",
                                            s, 0, i), scale=25.0)
                             for i, s in enumerate((0.02,) * 3)] + [
                  cpp_entry("spawn/process_start_join/start:fork/impl:cpython", s, 1, i)
                  for i, s in enumerate((0.009,) * 3)]}
        return write(self.tmp, "cpp.json", cpp), write(self.tmp, "py.json", py)

    def test_merged_run_pairs_cpython_with_cpp(self):
        cpp, py = self.documents()
        out = os.path.join(self.tmp, "merged.json")
        r = helpers.run_script("merge.py", "--into", cpp, "--add", py, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        family = {}
        for e in doc["benchmarks"]:
            family.setdefault(e["family_index"], set()).add(e["name"])
        self.assertEqual(len(family), 4)
        self.assertTrue(all(len(v) == 1 for v in family.values()), family)
        self.assertEqual(doc["context"]["concbench"]["merged"][0]["impl"], "cpython")
        self.assertTrue(doc["context"]["concbench"]["merged"][0]["loaded"])
        run = results.load_run(out)
        self.assertEqual(run.benches["sum_squares/serial/tasks:40/inner:10000/impl:cpython"]
                         .metric.kind, "cpu")
        lines = answers.cpython_answers(run, list(run.benches.values()))
        text = "\n".join(lines)
        self.assertIn("CPython serial/tasks:40/inner:10000 per task (CPython ran 40 tasks, "
                      "C++ 1000): 500 us [500, 500 us] against C++ 4 us [4, 4 us] (125x [125, 125]",
                      text)
        self.assertIn("CPython process_start_join/start:fork: 9 ms [9, 9 ms] against C++ 300 us "
                      "[300, 300 us] (30x [30, 30]", text)

    def test_refuses_bad_input_with_one_line(self):
        cpp, py = self.documents()
        bad = write(self.tmp, "bad.json", {"context": {}})
        for args, text in ((["--into", cpp, "--add", bad], "no 'benchmarks' list"),
                           (["--into", cpp, "--add", cpp], "repeats a benchmark of the run"),
                           (["--into", cpp, "--add", os.path.join(self.tmp, "none.json")],
                            "cannot read"),
                           (["--into", cpp], "--add")):
            r = helpers.run_script("merge.py", *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertCleanError(r, text)

    def test_start_is_a_split_parameter(self):
        self.assertIn("start", names.SPLIT_PARAMS)


if __name__ == "__main__":
    unittest.main()
