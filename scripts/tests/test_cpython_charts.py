"""CPython rows (impl:cpython) are drawn in the panel of their C++ twin, in
the variant's colour with half-filled markers, labelled CPython; a row that
ran `scale` times fewer tasks joins the panel of the C++ task count."""

import unittest

from concbench import cli
from concbench import charts
from concbench.charts import common
from tests.test_scaling import load


def _entries(name, ns, counters=None, reps=3):
    return [dict({"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
                  "repetition_index": i, "threads": 1, "iterations": 1,
                  "real_time": ns * (1 + 0.01 * i), "cpu_time": 1.0, "time_unit": "ns"},
                 **(counters or {})) for i in range(reps)]


def mixed_run():
    b = []
    b += _entries("sum_squares/serial/tasks:1000/inner:10000", 1e8)
    b += _entries("sum_squares/threads/tasks:1000/inner:10000/workers:1", 1e8)
    b += _entries("sum_squares/threads/tasks:1000/inner:10000/workers:2", 5e7)
    # CPython ran 20 times fewer tasks (its scale counter) of the same work.
    b += _entries("sum_squares/serial/tasks:50/inner:10000/impl:cpython", 5e8, {"scale": 20})
    b += _entries("sum_squares/threads/tasks:50/inner:10000/workers:2/impl:cpython", 5e8,
                  {"scale": 20})
    b += _entries("sum_squares/thread_pool/tasks:50/inner:10000/workers:2/impl:cpython",
                  5.2e8, {"scale": 20})
    return {"context": {"num_cpus": 2}, "benchmarks": b}


class CpythonBesideCppTest(unittest.TestCase):
    def test_speedup_chart_has_one_panel_with_both(self):
        run = load(mixed_run())
        plt = cli.pyplot()
        with plt.rc_context(charts.RC):
            (chart,) = [c for c in charts.charts_of(plt, run, "sum_squares",
                                                    list(run.benches.values()))
                        if c.stem == "speedup"]
        try:
            visible = [ax for ax in chart.fig.axes if ax.get_visible()]
            self.assertEqual(len(visible), 1, "CPython drawn in the C++ panel, not its own")
            self.assertIn("CPython: tasks:50", visible[0].get_title())
            labels = [t.get_text() for t in chart.fig.legends[0].get_texts()]
            self.assertIn("threads", labels)
            self.assertIn("threads (CPython)", labels)
            self.assertIn("thread_pool (CPython)", labels)
            self.assertFalse(any("impl:cpython" in t for t in labels), labels)
            py = [ln for ln in visible[0].get_lines() if ln.get_label() == "threads (CPython)"]
            cpp = [ln for ln in visible[0].get_lines() if ln.get_label() == "threads"]
            self.assertEqual(py[0].get_color(), cpp[0].get_color())
            self.assertEqual(py[0].get_marker(), cpp[0].get_marker())
            self.assertEqual(py[0].get_fillstyle(), common.CPYTHON_MARKER["fillstyle"])
            self.assertEqual(cpp[0].get_fillstyle(), "full")
        finally:
            plt.close(chart.fig)


if __name__ == "__main__":
    unittest.main()
