"""Scaling laws: Amdahl and the USL recover known sigma and kappa from
synthetic speedups (exact and with noise), a run with fewer than four worker
counts up to the run's cores is not fitted and says why, points past the
cores are left out of the fit, and a synthetic run's scaling.json, summary
line and chart carry the fit."""

import json
import math
import os
import random
import re
import tempfile
import unittest

from concbench import cli, results, scaling, stats, summary
from concbench import charts

WORKERS = (1, 2, 4, 8, 16, 32)


def _est(v):
    return stats.Estimate(v, math.nan, math.nan, 1)


def synthetic_run(workers, lam=0.95, sigma=0.05, kappa=0.002, reps=7, noise=0.01, seed=7,
                  context=None):
    """A run of sum_squares: serial, and `threads` at each worker count whose
    times follow the USL (speedup lam N / (1 + sigma (N-1) + kappa N (N-1)))."""
    rng = random.Random(seed)
    serial_ns = 1e8
    benches = []

    def entries(name, ns):
        return [{"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
                 "repetition_index": i, "threads": 1, "iterations": 1,
                 "real_time": ns * (1 + rng.gauss(0, noise)), "cpu_time": 1.0,
                 "time_unit": "ns"} for i in range(reps)]
    benches += entries("sum_squares/serial/tasks:1000/inner:10000", serial_ns)
    for w in workers:
        s = scaling.usl(w, lam, sigma, kappa)
        benches += entries(f"sum_squares/threads/tasks:1000/inner:10000/workers:{w}",
                           serial_ns / s)
    return {"context": {"logical_cores": "64"} if context is None else context,
            "benchmarks": benches}


def load(data):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "run.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
    return results.load_run(path)


class FitTest(unittest.TestCase):
    def test_exact_usl_points_give_back_sigma_and_kappa(self):
        ys = [scaling.usl(n, 0.9, 0.08, 0.003) for n in WORKERS]
        f = scaling.fit_points("k", "threads", WORKERS, [_est(y) for y in ys])
        self.assertEqual(f.reason, "")
        p = f.usl.params
        self.assertAlmostEqual(p["lambda"].value, 0.9, places=4)
        self.assertAlmostEqual(p["sigma"].value, 0.08, places=4)
        self.assertAlmostEqual(p["kappa"].value, 0.003, places=5)
        self.assertAlmostEqual(f.usl.peak(), math.sqrt(0.92 / 0.003), places=2)

    def test_amdahl_points_give_kappa_zero_and_the_serial_fraction(self):
        ys = [scaling.amdahl(n, 1.0, 0.1) for n in WORKERS]
        f = scaling.fit_points("k", "tbb", WORKERS, [_est(y) for y in ys])
        self.assertAlmostEqual(f.amdahl.params["sigma"].value, 0.1, places=4)
        self.assertAlmostEqual(f.usl.params["kappa"].value, 0.0, places=5)
        peak = f.usl.peak()
        self.assertTrue(peak is None or peak > 1000, peak)

    def test_noisy_run_recovers_parameters_inside_the_intervals(self):
        run = load(synthetic_run(WORKERS, sigma=0.05, kappa=0.002, noise=0.01, seed=4))
        (f,) = scaling.series_fits(run, list(run.benches.values()))
        self.assertEqual(f.reason, "")
        s, k = f.usl.params["sigma"], f.usl.params["kappa"]
        self.assertAlmostEqual(s.value, 0.05, delta=0.02)
        self.assertAlmostEqual(k.value, 0.002, delta=0.001)
        self.assertLessEqual(s.lo, 0.05)
        self.assertGreaterEqual(s.hi, 0.05)
        self.assertLessEqual(k.lo, 0.002)
        self.assertGreaterEqual(k.hi, 0.002)
        self.assertLess(s.lo, s.value)   # a real interval, not a point
        self.assertGreater(f.usl.predict(64), 0)

    def test_intervals_cover_the_truth_in_most_noisy_runs(self):
        covered = {"sigma": 0, "kappa": 0, "peak": 0, "predicted at 64": 0}
        runs = 20
        truths = (("sigma", 0.05), ("kappa", 0.002), ("peak", math.sqrt(0.95 / 0.002)),
                  ("predicted at 64", scaling.usl(64, 0.95, 0.05, 0.002)))
        for seed in range(runs):
            run = load(synthetic_run(WORKERS, sigma=0.05, kappa=0.002, noise=0.01, seed=seed))
            (f,) = scaling.series_fits(run, list(run.benches.values()))
            found = dict(f.usl.params, peak=f.usl.peak_estimate(),
                         **{"predicted at 64": f.usl.predict_estimate(64)})
            for name, truth in truths:
                e = found[name]
                covered[name] += e.lo <= truth <= e.hi
        for name, n in covered.items():
            self.assertGreaterEqual(n, 15, f"{name}: covered in {n} of {runs} runs")

    def test_four_counts_are_enough(self):
        ys = [scaling.usl(n, 1.0, 0.1, 0.01) for n in (1, 2, 3, 4)]
        f = scaling.fit_points("k", "threads", (1, 2, 3, 4), [_est(y) for y in ys])
        self.assertEqual(f.reason, "")
        self.assertAlmostEqual(f.usl.params["kappa"].value, 0.01, places=4)

    def test_fewer_than_four_worker_counts_is_not_fitted(self):
        run = load(synthetic_run((1, 2, 4)))
        (f,) = scaling.series_fits(run, list(run.benches.values()))
        self.assertIsNone(f.usl)
        self.assertIsNone(f.amdahl)
        self.assertIn("needs at least 4 worker counts up to the 64 cores, has 3 (1, 2, 4)",
                      f.reason)
        lines = scaling.answer_lines(run, list(run.benches.values()))
        self.assertEqual(len(lines), 1)
        self.assertIn("not fitted", lines[0])
        self.assertIn("up to the 64 cores with --workers", lines[0])
        self.assertNotIn("1,2,3,4", lines[0])
        data = scaling.derive(run)
        self.assertFalse(data["series"][0]["fitted"])
        self.assertIn("at least 4", data["series"][0]["reason"])

    def test_points_past_the_cores_are_not_fitted(self):
        # A 4-core run at 1..8 workers: fitted at 1..4 only, and says so.
        run = load(synthetic_run((1, 2, 3, 4, 6, 8), context={"logical_cores": "4",
                                                             "num_cpus": 8}))
        self.assertEqual(scaling.cores(run), 4)
        (f,) = scaling.series_fits(run, list(run.benches.values()))
        self.assertEqual(f.reason, "")
        self.assertEqual(f.workers, (1, 2, 3, 4))
        self.assertEqual(f.beyond, (6, 8))
        data = scaling.derive(run)
        self.assertEqual(data["max_workers_fitted"], 4)
        self.assertEqual(data["series"][0]["workers"], [1, 2, 3, 4])
        self.assertEqual(data["series"][0]["workers_beyond_cores"], [6, 8])
        (line,) = scaling.answer_lines(run, list(run.benches.values()))
        self.assertIn("(workers 1, 2, 3, 4 up to the 4 cores)", line)

    def test_a_two_core_run_is_not_fitted_and_asks_for_more_cores(self):
        # The reference machine: 2 cores (num_cpus only here), 1, 2 and 4 workers.
        run = load(synthetic_run((1, 2, 4), context={"num_cpus": 2}))
        (f,) = scaling.series_fits(run, list(run.benches.values()))
        self.assertIsNone(f.usl)
        self.assertEqual(f.workers, (1, 2))
        self.assertIn("needs at least 4 worker counts up to the 2 cores, has 2 (1, 2)",
                      f.reason)
        (line,) = scaling.answer_lines(run, list(run.benches.values()))
        self.assertIn("run on a machine with at least 4 cores", line)
        self.assertEqual(scaling.derive(run)["max_workers_fitted"], 2)

    def test_without_cores_every_point_is_fitted(self):
        run = load(synthetic_run(WORKERS, context={}))
        self.assertIsNone(scaling.cores(run))
        (f,) = scaling.series_fits(run, list(run.benches.values()))
        self.assertEqual(f.workers, WORKERS)
        self.assertIsNone(scaling.derive(run)["max_workers_fitted"])


class OutputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.synthetic = load(synthetic_run(WORKERS))

    def test_scaling_json_and_summary_line(self):
        data = scaling.derive(self.synthetic)
        (s,) = data["series"]
        self.assertTrue(s["fitted"])
        self.assertEqual(set(s["usl"]), {"lambda", "sigma", "kappa", "peak_workers",
                                         "predicted"})
        for figure in (s["usl"]["peak_workers"], s["usl"]["predicted"]["64"],
                       s["amdahl"]["predicted"]["64"]):
            self.assertLess(figure["lo"], figure["value"])
            self.assertLess(figure["value"], figure["hi"])
        self.assertIn("covariance", data["intervals"])
        text = summary.render(self.synthetic)
        self.assertIn("scaling of threads/tasks:1000/inner:10000", text)
        self.assertIn("kappa", text)
        self.assertRegex(text, r"peak at [\d.]+ \[[\d.]+, [\d.]+\] workers; predicted by the "
                               r"USL [\d.]+x \[[\d.]+, [\d.]+\] serial at 64 workers")

    def test_without_a_covariance_the_prediction_says_it_has_no_interval(self):
        (f,) = scaling.series_fits(self.synthetic, list(self.synthetic.benches.values()))
        law = f.usl._replace(cov=None)
        self.assertFalse(math.isfinite(law.predict_estimate(64).lo))
        line = scaling.fit_text(f._replace(usl=law))
        self.assertIn("x serial (model prediction, no interval: curve_fit gave no covariance) "
                      "at 64 workers", line)

    def test_a_peak_whose_kappa_may_be_zero_has_no_upper_bound(self):
        (f,) = scaling.series_fits(self.synthetic, list(self.synthetic.benches.values()))
        k = f.usl.params["kappa"]
        law = f.usl._replace(params=dict(f.usl.params, kappa=k._replace(lo=0.0)))
        self.assertEqual(law.peak_estimate().hi, math.inf)
        self.assertIn("no upper bound] workers", scaling.fit_text(f._replace(usl=law)))

    def test_chart_draws_the_fit_and_a_dashed_prediction_to_64(self):
        plt = cli.pyplot()
        with plt.rc_context(charts.RC):
            (chart,) = [c for c in charts.charts_of(plt, self.synthetic, "sum_squares",
                                                    list(self.synthetic.benches.values()))
                        if c.stem == "speedup"]
        try:
            ax = chart.fig.axes[0]
            pred = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"
                    and len(ln.get_xdata()) and ln.get_color() == "#1f77b4"]  # threads' colour
            self.assertEqual(len(pred), 1, "one dashed prediction in the series' colour")
            self.assertAlmostEqual(max(pred[0].get_xdata()), scaling.PREDICT_TO)
            self.assertAlmostEqual(min(pred[0].get_xdata()), max(WORKERS))
            labels = [t.get_text() for t in chart.fig.legends[0].get_texts()]
            self.assertTrue(any("prediction" in t for t in labels), labels)
            # the fitted parameters and the prediction carry their intervals
            self.assertTrue(any(re.search(r"USL σ [\d.]+ \[[\d.]+, [\d.]+\], κ", t)
                                for t in labels), labels)
            bands = [c for c in ax.collections if type(c).__name__ in ("PolyCollection",
                                                                      "FillBetweenPolyCollection")]
            self.assertEqual(len(bands), 1, "the prediction's interval as a band")
        finally:
            plt.close(chart.fig)


if __name__ == "__main__":
    unittest.main()
