"""Loading, name parsing and baselines in concbench.results."""

import json
import math
import os
import tempfile
import unittest

from tests import helpers
from concbench import cli, names, results, units



def reloaded(run):
    """run written by to_json and loaded again."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(results.to_json(run), f)
    try:
        return results.load_run(f.name)
    finally:
        os.unlink(f.name)

class NameTest(unittest.TestCase):
    def test_google_suffixes_are_stripped(self):
        self.assertEqual(names.contract_name("sum_squares/serial/tasks:10/real_time"),
                         "sum_squares/serial/tasks:10")
        self.assertEqual(names.contract_name("a/b/x:1/repeats:5/min_time:0.5s/manual_time"),
                         "a/b/x:1")
        self.assertEqual(names.contract_name("spawn/process_pool_startup/workers:2"),
                         "spawn/process_pool_startup/workers:2")

    def test_parse_modes_and_params(self):
        wl, var, modes, params = names.parse_name(
            "ipc/shm_ring/pingpong/peer:process/size:8/pin:split/real_time")
        self.assertEqual((wl, var, modes), ("ipc", "shm_ring", ("pingpong",)))
        self.assertEqual(params, {"peer": "process", "size": "8", "pin": "split"})
        wl, var, modes, params = names.parse_name("bank/std_mutex/threads/ops:1000000/workers:2")
        self.assertEqual((var, modes, params["workers"]), ("std_mutex", ("threads",), "2"))

    def test_serial_baseline_drops_workers_and_chunk(self):
        run = results.load_run(helpers.data("full.json"))
        b = run.benches["sum_squares/process_pool_map/tasks:10000/inner:10000/workers:2/chunk:auto"]
        self.assertEqual(run.serial_baseline(b).name, "sum_squares/serial/tasks:10000/inner:10000")
        skewed = run.benches["sum_squares_skewed/tbb/tasks:10000/workers:4"]
        self.assertEqual(run.serial_baseline(skewed).name, "sum_squares_skewed/serial/tasks:10000")
        self.assertIsNone(run.speedups(run.benches["spawn/process_pool_startup/workers:2"]))
        med, reps = run.speedups(b)
        self.assertAlmostEqual(med, run.serial_baseline(b).median_ns / b.median_ns)
        self.assertEqual(len(reps), 5)


class LoadTest(unittest.TestCase):
    def test_repetitions_counters_and_units(self):
        run = results.load_run(helpers.data("full.json"))
        b = run.benches["bank/none/threads/ops:1000000/workers:2"]
        self.assertEqual(len(b.times_ns), 5)
        self.assertEqual(b.counter("balance_error"), 3400)
        self.assertNotIn("repetition_index", b.counters)
        us = run.benches["spawn/process_pool_startup/workers:1"]
        self.assertTrue(1e5 < us.median_ns < 1e6, us.median_ns)  # 'us' converted to ns
        self.assertLess(us.cv, 0.3)
        self.assertEqual(run.context["concbench_mode"], "quick")

    def test_failed_benchmark_is_kept_with_its_error(self):
        run = results.load_run(helpers.data("with_error.json"))
        self.assertEqual(run.benches["sum_squares/broken"].times_ns, [])
        self.assertIn("verify failed", run.benches["sum_squares/broken"].errors[0])

    def test_aggregates_only_falls_back_to_median(self):
        with open(helpers.data("base.json"), encoding="utf-8") as f:
            data = json.load(f)
        data["benchmarks"] = [e for e in data["benchmarks"] if e["run_type"] == "aggregate"]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(data, f)
        try:
            run = results.load_run(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(len(run.benches["spawn/process_pool_startup/workers:2"].times_ns), 1)

    def test_bad_inputs_raise_one_clear_error(self):
        cases = {"empty.json": "is empty", "corrupt.json": "not valid JSON",
                 "other_tool.json": "not Google Benchmark JSON",
                 "missing.json": "cannot read"}
        for name, text in cases.items():
            with self.subTest(name=name):
                with self.assertRaises(cli.CbError) as ctx:
                    results.load_run(helpers.data(name))
                self.assertIn(text, str(ctx.exception))

    def test_a_time_unit_that_is_not_a_string(self):
        with open(helpers.data("base.json"), encoding="utf-8") as f:
            data = json.load(f)
        data["benchmarks"][0]["time_unit"] = ["ns"]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(data, f)
        self.addCleanup(os.unlink, f.name)
        with self.assertRaises(cli.CbError) as ctx:
            results.load_run(f.name)
        self.assertIn("has no real_time/time_unit", str(ctx.exception))

    def test_every_benchmark_failed(self):
        with open(helpers.data("base.json"), encoding="utf-8") as f:
            data = json.load(f)
        data["benchmarks"] = [dict(e, error_occurred=True) for e in data["benchmarks"]]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(data, f)
        self.addCleanup(os.unlink, f.name)
        with self.assertRaises(cli.CbError):
            results.load_run(f.name)
        run = results.load_run(f.name, allow_failed=True)  # the gate's: failed rows
        self.assertEqual(len(run.benches), 4)
        self.assertTrue(all(b.failed for b in run.benches.values()))

    def test_merge_and_round_trip(self):
        a = results.load_run(helpers.data("base.json"))
        merged = results.merge_runs([a, a])
        name = "sum_squares/serial/tasks:1000/inner:1000"
        self.assertEqual(len(merged.benches[name].times_ns), 10)
        again = reloaded(merged)
        self.assertEqual(again.benches[name].times_ns, merged.benches[name].times_ns)

    def test_a_crashed_rounds_failed_row_takes_a_later_rounds_metric(self):
        name = "bank/atomic/threads/ops:10/workers:1"
        metric = {"name": "ns_per_op", "unit": "ns", "better": "lower", "kind": "rate"}
        crashed = results.failed_run("x", [name], "killed")
        ran = results.Run("y", {}, {name: results.Bench(name, {"metric": metric})})
        ran.benches[name].add_repetition({"ns_per_op": 5.0}, 10.0)
        merged = results.merge_runs([crashed, ran])
        self.assertEqual(merged.benches[name].metric.kind, "rate")
        self.assertEqual(merged.benches[name].metric, reloaded(merged).benches[name].metric)

    def test_round_trip_keeps_every_benchmarks_metric(self):
        # Runs of different chunks each describe only their own benchmarks;
        # the merged file must describe them all.
        def chunk(name, metric):
            return results.Run("x", {"concbench": {"benchmarks": [
                {"name": name, "metric": metric, "floor": "limits/x"}]}}, {})
        runs = []
        for name, metric in (("bank/atomic/threads/ops:10/workers:1",
                              {"name": "ns_per_op", "unit": "ns", "better": "lower",
                               "kind": "rate"}),
                             ("ipc/pipe/throughput/peer:thread/size:8/pin:same",
                              {"name": "bytes_per_second", "unit": "B/s",
                               "better": "higher", "kind": "throughput"})):
            b = results.Bench(name, {"metric": metric, "floor": "limits/x"})
            b.add_repetition({metric["name"]: 5.0}, 10.0)
            run = chunk(name, metric)
            run.benches[b.name] = b
            runs.append(run)
        merged = results.merge_runs(runs)
        again = reloaded(merged)
        for name, b in merged.benches.items():
            self.assertEqual(again.benches[name].metric, b.metric)
            self.assertEqual(again.benches[name].floor, "limits/x")

    def test_intersection(self):
        a = results.load_run(helpers.data("base.json"))
        b = results.load_run(helpers.data("new_slower.json"))
        common, only_a, only_b = results.common_benchmarks(a, b)
        self.assertEqual(len(common), 3)
        self.assertEqual(only_a, ["spawn/process_pool_startup/workers:2"])
        self.assertEqual(only_b, ["sum_squares/std_async/tasks:1000/inner:1000/workers:2"])
        full = results.load_run(helpers.data("full.json"))
        ipc = results.Run("ipc.json", {}, {n: x for n, x in full.benches.items()
                                      if x.workload == "ipc"})
        with self.assertRaises(cli.CbError) as ctx:
            results.common_benchmarks(a, ipc)
        self.assertIn("no benchmark in common", str(ctx.exception))

    def test_formatting(self):
        self.assertEqual(units.fmt_time(1.5e6), "1.5 ms")
        self.assertEqual(units.fmt_time(math.nan), "-")
        self.assertIn("Fixture CPU", units.context_line(results.load_run(helpers.data("base.json")).context))


if __name__ == "__main__":
    unittest.main()
