"""Charts people read: fixed colours per name, log axes where values span a
decade, legends outside the data, small multiples of sane size, intervals
as error bars, unstable results marked, every chart titled with a question."""

import os
import re
import unittest

from tests import helpers
from concbench import cli, history, palette, results, stats
from concbench import charts
from concbench.charts import common


def all_charts(name, only=None):
    """{(workload, stem): Chart} of a fixture (of the workload `only`),
    drawn; the caller closes the figures."""
    plt = cli.pyplot()
    run = results.load_run(name if os.path.isabs(name) else helpers.data(name))
    out = {}
    with plt.rc_context(charts.RC):
        for workload, benches in sorted(run.workloads().items()):
            if only and workload != only:
                continue
            for chart in charts.charts_of(plt, run, workload, benches):
                chart.fig.canvas.draw()
                out[(workload, chart.stem)] = chart
    return out


class PaletteTest(unittest.TestCase):
    def test_every_name_has_its_own_colour_and_marker(self):
        by_category = {}
        for category, name, colour, marker in palette.TABLE:
            by_category.setdefault(category, []).append((name, colour, marker))
        for category, entries in by_category.items():
            colours = [c for _, c, _ in entries]
            self.assertEqual(len(colours), len(set(colours)), category)
        pairs = [(c, m) for _, _, c, m in palette.TABLE]
        names = [n for _, n, _, _ in palette.TABLE]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(len(pairs), len(set(pairs)), "colour and marker identify a name")

    def test_known_names_are_in_the_table_and_the_readme(self):
        with open(os.path.join(helpers.ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        self.assertIn(palette.markdown_table(), readme)
        table = readme[readme.index("| variant | what runs |"):]
        table = table[:table.index("\n\n")]
        variants = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
        self.assertTrue({"serial", "threads", "process_pool_map", "asio_async"} <= variants)
        known = set(palette.BY_NAME)
        self.assertEqual(variants - known, set())
        for name in ("none", "std_mutex", "shm_atomic", "pipe", "shm_ring", "manager",
                     "thread_start_join"):
            self.assertIn(name, known)

    def test_every_name_of_a_real_run_is_in_the_table(self):
        for path in (helpers.data("smoke_v2.json"),
                     os.path.join(helpers.ROOT, "results", "baseline", "concbench.json")):
            with self.subTest(path=path):
                run = results.load_run(path)
                names = {b.variant for b in run.benches.values()}
                missing = names - set(palette.BY_NAME)
                self.assertEqual(missing, set(), "add them to palette.TABLE and the README")
                styles = {}
                for name in sorted(names):
                    styles.setdefault(palette.style(name), []).append(name)
                shared = {s: n for s, n in styles.items() if len(n) > 1}
                self.assertEqual(shared, {}, "no two names share colour and marker")

    def test_racy_primitives_are_grey(self):
        run = results.load_run(os.path.join(helpers.ROOT, "results", "baseline",
                                            "concbench.json"))
        from concbench import facts
        racy = {b.variant for b in run.benches.values() if facts.is_racy(b)}
        self.assertEqual(racy, {"none", "mpi_none"})
        for name in racy:
            colour = palette.style(name).colour
            self.assertTrue(colour[1:3] == colour[3:5] == colour[5:7], (name, colour))

    def test_unknown_names_keep_their_style(self):
        self.assertEqual(palette.style("forkserver_pool"), palette.style("forkserver_pool"))
        self.assertNotIn(palette.style("forkserver_pool"), set(palette.BY_NAME.values()))
        self.assertEqual(palette.style("threads"), palette.Style("#1f77b4", "s"))


class ChartTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.charts = all_charts("full_v2.json")

    @classmethod
    def tearDownClass(cls):
        plt = cli.pyplot()
        for chart in cls.charts.values():
            plt.close(chart.fig)

    def test_every_workload_is_drawn(self):
        self.assertEqual(set(self.charts), {
            ("bank", "throughput"), ("bank", "forms"), ("ipc", "pingpong"),
            ("ipc", "throughput"), ("ipc", "requests"), ("limits", "times"),
            ("sleep_io", "speedup"), ("sleep_io", "efficiency"), ("spawn", "times"),
            ("sum_squares", "speedup"), ("sum_squares", "per_task")})

    def test_titles_ask_their_question(self):
        for key, chart in self.charts.items():
            self.assertIn("?", chart.title, key)
            self.assertEqual(chart.fig._suptitle.get_text(), chart.title)

    def test_legend_outside_the_data_and_sane_sizes(self):
        for key, chart in self.charts.items():
            w, h = chart.fig.get_size_inches()
            self.assertLessEqual(w, 16, key)
            self.assertLessEqual(h, 16, key)
            self.assertEqual(len(chart.fig.legends), 1, key)
            legend = chart.fig.legends[0].get_window_extent()
            right = max(ax.get_window_extent().x1 for ax in chart.fig.axes if ax.get_visible())
            self.assertGreaterEqual(legend.x0, right, key)

    def test_one_colour_per_name_in_every_chart(self):
        colors = cli.require("matplotlib.colors")
        seen = 0
        for key, chart in self.charts.items():
            for ax in chart.fig.axes:
                for line in ax.get_lines():
                    name = line.get_label().split("/")[0].split(" ")[0]
                    if name in palette.BY_NAME:
                        self.assertEqual(colors.to_hex(line.get_color()),
                                         palette.style(name).colour,
                                         (key, line.get_label()))
                        seen += 1
        self.assertGreater(seen, 20)

    def test_log_axes_with_engineering_ticks(self):
        bank = self.charts[("bank", "throughput")].fig.axes[0]
        self.assertEqual(bank.get_yscale(), "log")
        ticks = [t.get_text() for t in bank.get_yticklabels() if t.get_text()]
        self.assertTrue(any("Mops/s" in t for t in ticks), ticks)
        ping = self.charts[("ipc", "pingpong")].fig.axes[0]
        self.assertEqual(ping.get_yscale(), "log")
        self.assertTrue(any(re.search(r"\d (ns|µs)$", t.get_text())
                            for t in ping.get_yticklabels()))

    def test_references_drawn(self):
        def labels(key):
            return [lab for ax in self.charts[key].fig.axes
                    for lab in ax.get_legend_handles_labels()[1]]
        self.assertIn("floor: memcpy/size:1048576", labels(("ipc", "throughput")))
        self.assertIn("ideal: N / ceil(N / workers)", labels(("sleep_io", "speedup")))
        self.assertIn("ideal: min(workers, cores)", labels(("sum_squares", "speedup")))
        self.assertTrue(any(x.startswith("none (racy") for x in labels(("bank", "throughput"))))
        self.assertTrue(any("asio_async" in x for x in labels(("sleep_io", "efficiency"))))
        per_task = self.charts[("sum_squares", "per_task")]
        titles = [ax.get_title() for ax in per_task.fig.axes]
        self.assertIn("inner:10: cost per task (slope)", titles)

    def test_the_racy_line_has_its_error_bars(self):
        checked = 0
        for ax in self.charts[("bank", "throughput")].fig.axes:
            bars = [seg for c in ax.containers if type(c).__name__ == "ErrorbarContainer"
                    for col in c.lines[2] for seg in col.get_segments()]
            for ln in ax.get_lines():
                if not str(ln.get_label()).startswith("none (racy"):
                    continue
                for x, y in zip(ln.get_xdata(), ln.get_ydata()):
                    self.assertTrue(any(seg[0][0] == x and seg[0][1] <= y <= seg[1][1]
                                        and seg[1][1] > seg[0][1] for seg in bars), (x, y))
                    checked += 1
        self.assertGreater(checked, 0)

    def test_intervals_and_unstable_marks(self):
        plt = cli.pyplot()
        fig, (ax,) = common.grid(plt, 1)
        try:
            e = stats.Estimate(1.0, 0.9, 1.3, 6)
            (below,), (above,) = common.error(e)
            self.assertAlmostEqual(below, 0.1)
            self.assertAlmostEqual(above, 0.3)
            shaky = stats.Estimate(1.0, 0.5, 2.0, 6)
            bars = common.bar(ax, 0, shaky, "tbb")
            self.assertEqual(bars.patches[0].get_hatch(), common.UNSTABLE_HATCH)
            steady = common.bar(ax, 1, stats.Estimate(1.0, 0.99, 1.01, 6), "tbb")
            self.assertIsNone(steady.patches[0].get_hatch())
        finally:
            plt.close(fig)

    def test_failed_benchmarks_are_named_in_their_panel(self):
        drawn = all_charts("failed_v2.json", only="sum_squares")
        try:
            texts = [t.get_text() for ax in drawn[("sum_squares", "speedup")].fig.axes
                     for t in ax.texts]
            self.assertTrue(any(t.startswith("failed: tbb/") for t in texts), texts)
        finally:
            for chart in drawn.values():
                cli.pyplot().close(chart.fig)


BASELINE = os.path.join(helpers.ROOT, "results", "baseline", "concbench.json")


class BaselineChartTest(unittest.TestCase):
    """The charts of the committed full baseline (MPI, limits and CPython rows)."""

    @classmethod
    def setUpClass(cls):
        cls.charts = all_charts(BASELINE)

    @classmethod
    def tearDownClass(cls):
        plt = cli.pyplot()
        for chart in cls.charts.values():
            plt.close(chart.fig)

    def axes(self, key):
        return [ax for ax in self.charts[key].fig.axes if ax.get_visible()]

    def test_mpi_bank_rows_are_lines_against_ranks(self):
        panels = {ax.get_title(): ax for ax in self.axes(("bank", "throughput"))}
        self.assertIn("ranks/ops:20000", panels)
        ranks = panels["ranks/ops:20000"]
        self.assertEqual(ranks.get_xlabel(), "ranks")
        drawn = [ln for ln in ranks.get_lines() if len(ln.get_xdata()) >= 3]
        self.assertGreaterEqual(len(drawn), 3)
        for key in self.charts:
            for ax in self.axes(key):
                self.assertNotIn("None", ax.get_title(), key)

    def legend_labels(self, key):
        return [t.get_text() for t in self.charts[key].fig.legends[0].get_texts()]

    def test_per_task_fits_on_log_axes_non_positive_apart(self):
        panels = {ax.get_title(): ax for ax in self.axes(("sum_squares", "per_task"))}
        slope = panels["inner:10: cost per task (slope)"]
        fixed = panels["inner:10: fixed cost per run (intercept)"]
        for ax in (slope, fixed):
            self.assertEqual(ax.get_xscale(), "log")
        marked = [t.get_text() for ax in (slope, fixed) for t in ax.texts
                  if t.get_text().startswith("≤ 0: -")]
        self.assertTrue(marked)  # the baseline has a negative slope and negative intercepts
        self.assertTrue(any(x.startswith("fit ≤ 0") for x in
                            self.legend_labels(("sum_squares", "per_task"))))

    def test_sleep_legend_is_grouped(self):
        labels = self.legend_labels(("sleep_io", "efficiency"))
        self.assertLessEqual(len(labels), 25, labels)
        for name in ("threads", "asio_async", "process_pool_map", "half filled: CPython rows",
                     "line: workers:1", "line: workers: one per task"):
            self.assertIn(name, labels)

    def test_spawn_floors_drawn(self):
        labels = self.legend_labels(("spawn", "times"))
        for floor in ("fork_exit_wait", "posix_spawn_wait", "thread_create_join"):
            self.assertIn(f"floor: {floor}", labels)

    def test_ipc_latency_beside_the_cpu_it_burns(self):
        titles = [ax.get_title() for ax in self.axes(("ipc", "pingpong"))]
        latency = [t for t in titles if not t.endswith(": CPU burnt")]
        cpu = [t for t in titles if t.endswith(": CPU burnt")]
        self.assertEqual(sorted(t + ": CPU burnt" for t in latency), sorted(cpu))
        self.assertGreaterEqual(len(cpu), 6)



class HistoryChartTest(unittest.TestCase):
    def test_medians_carry_their_intervals_as_error_bars(self):
        rows = [history.record(results.load_run(helpers.data(n)))
                for n in ("base.json", "new_same.json")]
        name = "sum_squares/serial/tasks:1000/inner:1000"
        lo, hi = rows[0]["median_intervals_ns"][name]
        self.assertLessEqual(lo, rows[0]["medians_ns"][name])
        self.assertLess(lo, hi)
        old = dict(rows[0])
        del old["median_intervals_ns"]  # a line written before intervals were recorded
        plt = cli.pyplot()
        for rows_, bars in ((rows, True), ([old, old], False)):
            drawn = dict(history.draw(plt, rows_))
            try:
                ax = drawn["sum_squares"].axes[0]
                errorbars = [c for c in ax.containers
                             if type(c).__name__ == "ErrorbarContainer"]
                self.assertEqual(bool(errorbars), bars)
            finally:
                for fig in drawn.values():
                    plt.close(fig)


if __name__ == "__main__":
    unittest.main()
