"""The one-line answers and the tables: from primary metrics and intervals,
never a racy or failed variant as an answer, ties where intervals overlap,
every variant that does the work considered, tables sorted with every
counter. On synthetic schema-2 and legacy fixtures and a real smoke run."""

import copy
import json
import os
import re
import tempfile
import unittest

from tests import helpers
from concbench import answers, facts, figures, ranking, results, stats, summary, tables, units


def load(name):
    return results.load_run(helpers.data(name))


def answer_lines(run, workload):
    return answers.answers(run, workload, run.workloads()[workload])


def rewritten(name, edit):
    """Loads a fixture after edit(data) changed its JSON."""
    with open(helpers.data(name), encoding="utf-8") as f:
        data = json.load(f)
    edit(data)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(data, f)
    try:
        return results.load_run(f.name)
    finally:
        os.unlink(f.name)


class BankAnswerTest(unittest.TestCase):
    def test_racy_primitive_is_never_the_cheapest(self):
        run = load("full_v2.json")
        lines = answer_lines(run, "bank")
        cheapest = [x for x in lines if x.startswith("correct primitives")]
        self.assertEqual(len(cheapest), 4, lines)  # alone and contended, threads and processes
        for line in cheapest:
            self.assertNotIn("none", line.split(":", 1)[1])
        # shm_atomic and atomic tie: the line names both and claims no cheapest
        self.assertIn("correct primitives, contended (threads/ops:100000/workers:2): tie: "
                      "shm_atomic 5 ns [4.87, 5.13 ns] per update (200 M ops/s [195, 205 M ops/s]), "
                      "atomic 5.04 ns", "\n".join(lines))
        self.assertTrue(any(x.startswith("without a lock (none) updates were lost") and
                            "3 k off of 200 k" in x for x in lines), lines)
        self.assertIn("every primitive with a lock or an atomic ended at exactly the expected "
                      "balance", lines)

    def test_cheapest_lock_per_mode_from_the_traits(self):
        lines = [x for x in answer_lines(load("full_v2.json"), "bank")
                 if x.startswith("locks")]
        self.assertEqual(lines, [
            "locks, contended (threads/ops:100000/workers:2): cheapest: spinlock 17.7 ns "
            "[17.4, 18 ns] per update (56.4 M ops/s [55.4, 57.4 M ops/s])",
            "locks, contended (processes/ops:100000/workers:2): cheapest: ipc_mutex 19.3 ns "
            "[19, 19.5 ns] per update (51.9 M ops/s [51.2, 52.7 M ops/s]) (the only lock)"])

        def no_lock(data):  # spinlock's traits say it is no lock: the next lock wins
            for d in data["context"]["concbench"]["benchmarks"]:
                if d["variant"] == "spinlock":
                    d["traits"]["is_lock"] = "false"
        lines = answer_lines(rewritten("full_v2.json", no_lock), "bank")
        self.assertIn("locks, contended (threads/ops:100000/workers:2): cheapest: ipc_mutex",
                      "\n".join(lines))

    def test_cheapest_lock_on_the_committed_baseline(self):
        run = results.load_run(os.path.join(helpers.ROOT, "results", "baseline",
                                            "concbench.json"))
        lines = [x for x in answer_lines(run, "bank") if x.startswith("locks")]
        modes = [x.split("(", 1)[1].split("/", 1)[0] for x in lines]
        self.assertEqual(modes, ["threads", "processes", "ranks"], lines)
        for line in lines:
            self.assertRegex(line, r"contended \([a-z]+/ops:\d+/(workers|ranks):2\): "
                                   r"(cheapest|tie): ")
            winner = line.split("): ", 1)[1].split(" ", 2)[1]
            bench = next(b for b in run.benches.values() if b.variant == winner)
            self.assertTrue(facts.is_lock(bench), line)
            self.assertIn(" [", line)

    def test_racy_comes_from_the_traits_when_present(self):
        def rename(data):
            for e in data["benchmarks"]:
                for key in ("name", "run_name"):
                    if key in e:
                        e[key] = e[key].replace("bank/none/", "bank/relaxed/")
            for d in data["context"]["concbench"]["benchmarks"]:
                d["name"] = d["name"].replace("bank/none/", "bank/relaxed/")
                if d["variant"] == "none":
                    d["variant"] = "relaxed"
        run = rewritten("full_v2.json", rename)
        racy = {b.variant for b in run.benches.values() if facts.is_racy(b)}
        self.assertEqual(racy, {"relaxed"})
        self.assertIn("without a lock (relaxed)", "\n".join(answer_lines(run, "bank")))

    def test_legacy_files_know_the_racy_primitive_by_name(self):
        run = load("full.json")
        self.assertEqual({b.variant for b in run.benches.values() if facts.is_racy(b)},
                         {"none"})
        lines = answer_lines(run, "bank")
        self.assertIn("correct primitives, contended (threads/ops:1000000/workers:2): cheapest: "
                      "atomic",
                      "\n".join(lines))
        # none is 8 ns an update, far cheaper than atomic, and still not the answer

    def test_a_lock_that_loses_updates_is_wrong(self):
        def corrupt(data):
            for e in data["benchmarks"]:
                if e["name"].startswith("bank/std_mutex/threads/ops:100000/workers:2/") and \
                        "balance_error" in e:
                    e["balance_error"] = 7.0
        lines = answer_lines(rewritten("full_v2.json", corrupt), "bank")
        self.assertTrue(any(x.startswith("WRONG: std_mutex/threads/ops:100000/workers:2")
                            for x in lines), lines)


class MapAnswerTest(unittest.TestCase):
    def test_asio_is_measured_against_serial(self):
        run = load("full_v2.json")
        asio = run.benches["sleep_io/asio_async/tasks:8/sleep_ms:20/style:callbacks"]
        self.assertEqual(figures.baseline(run, asio).name, "sleep_io/serial/tasks:8/sleep_ms:20")
        lines = answer_lines(run, "sleep_io")
        self.assertTrue(lines[0].startswith("tasks:8/sleep_ms:20: fastest: "
                                            "asio_async/style:callbacks at 7.9"), lines)
        self.assertIn("tasks:1000/sleep_ms:10: fastest: asio_async/style:callbacks", lines[2])
        self.assertIn("efficiency 0.907 [0.9, 0.914]", lines[2])

    def test_serial_sleep_against_the_sleep_floor(self):
        def bench(name, kind, efficiency, floor=None):
            b = results.Bench(name, {"metric": {"name": "real_time", "unit": "s",
                                                "better": "lower", "kind": kind},
                                     "floor": floor})
            b.values, b.rounds = [0.105] * 5, [0] * 5
            b.times_ns = [v * 1e9 for v in b.values]
            b.counters["efficiency"] = [efficiency] * 5
            return b
        floor = bench("limits/sleep/sleep_us:1000", "latency", 0.98)
        serial = bench("sleep_io/serial/tasks:100/sleep_ms:1", "sleep", 0.95,
                       floor=floor.name)
        run = results.Run("test", {}, {b.name: b for b in (floor, serial)})
        line = answers.sleep_floor_answers(run, [serial])[0]
        self.assertTrue(line.startswith("tasks:100/sleep_ms:1: serial efficiency 0.95 "
                                        "[0.95, 0.95] (best) against one sleep's 0.98 "
                                        "[0.98, 0.98]"), line)
        self.assertIn("1.03x [1.03, 1.03] its floor", line)

    def test_speedups_ties_and_cpython(self):
        run = load("full_v2.json")
        text = "\n".join(answer_lines(run, "sum_squares"))
        self.assertIn("tasks:1000/inner:10000: fastest: tbb/workers:2 at 2", text)
        self.assertIn("tasks:1000/inner:10: nothing beats serial", text)
        # A CPython row meets CPython's serial, never C++'s.
        self.assertIn("tasks:1000/inner:10000/impl:cpython: nothing beats serial (best: "
                      "threads/workers:2 at 0.8", text)
        self.assertIn("CPython threads/tasks:1000/inner:10000/workers:2: 1.1 s [1.06, 1.15 s] "
                      "against C++ 2.34 ms [2.18, 2.5 ms] (472.6x [442, 490.9] the C++ cost)",
                      text)
        self.assertIn("tiny tasks (inner:10): cost per task (fitted slope over task counts)", text)

    def test_tie_where_intervals_overlap(self):
        run = load("full.json")
        text = "\n".join(answer_lines(run, "sum_squares"))
        # three variants' intervals overlap: no "fastest", a tie naming all three
        self.assertNotIn("fastest", text)
        self.assertIn("tie: threads/workers:2 at 1.95x [1.86, 2.02] serial, tbb/workers:2 at "
                      "1.86x [1.84, 1.92] serial, process_pool_map/workers:2/chunk:auto at 1.82x "
                      "[1.78, 1.88] serial (intervals overlap)", text)

    def test_failed_benchmark_gives_no_figure(self):
        run = load("failed_v2.json")
        broken = run.benches["sum_squares/tbb/tasks:1000/inner:10000/workers:2"]
        self.assertTrue(broken.failed)
        self.assertEqual(len(broken.values), 5)  # its other repetitions are not reported
        self.assertIsNone(figures.primary(broken))
        self.assertIsNone(figures.speedup(run, broken))
        lines = answer_lines(run, "sum_squares")
        self.assertNotIn("fastest: tbb/workers:2", "\n".join(lines))
        self.assertTrue(any(x.startswith("FAILED: 1 benchmark (no figure reported; first: "
                                         "tbb/tasks:1000/inner:10000/workers:2: verify failed")
                            for x in lines), lines)
        table = tables.workload_table(run, run.workloads()["sum_squares"])
        row = next(r for r in table.rows if r.bench is broken)
        self.assertTrue(row.failed)
        figure = table.headers.index("figure [95% CI]")
        self.assertEqual(row.cells[figure].text, "FAILED: verify failed: got 41 expected 42")
        self.assertTrue(all(c.text == "-" for c in row.cells[figure + 1:]
                            if c.sort is None), row.cells)

    def test_one_repetition_claims_no_winner(self):
        run = load("smoke_v2.json")
        text = "\n".join(answer_lines(run, "sum_squares"))
        self.assertNotIn("fastest:", text)
        self.assertIn("no interval", text)


class ChannelAnswerTest(unittest.TestCase):
    def test_placement_first_and_floors(self):
        run = load("full_v2.json")
        lines = answer_lines(run, "ipc")
        ping = next(x for x in lines if x.startswith("pingpong 8 B between processes"))
        self.assertLess(ping.index("pin:same"), ping.index("pin:split"))
        self.assertLess(ping.index("pin:split"), ping.index("pin:none"))
        self.assertIn("pin:split shm_ring 152 ns [140, 164 ns] (0.0579x [0.0564, 0.0627] the "
                      "cost of its floor)", ping)
        self.assertIn("(floor futex_pingpong/pin:none 21.2 us [21, 21.4 us];", ping)
        tput = next(x for x in lines if x.startswith("throughput 1 MiB between processes"))
        self.assertIn("GB/s", tput)
        self.assertIn("floor memcpy/size:1048576", tput)
        self.assertTrue(any(x.startswith("append between processes: pin:same manager")
                            for x in lines), lines)

    def test_cpython_rows_are_not_ranked_against_the_channels(self):
        run = results.load_run(os.path.join(helpers.ROOT, "results", "baseline",
                                            "concbench.json"))
        lines = answer_lines(run, "ipc")
        placement = [x for x in lines if not x.startswith("CPython ")]
        self.assertFalse(any("impl:cpython" in x for x in placement), placement)
        self.assertTrue(any(x.startswith("CPython manager/get/") for x in lines), lines)

    def test_manager_over_tcp_against_the_unix_socket(self):
        def tcp_beside_unix(data):
            def renamed(name, transport):
                return name.replace("/peer:process/", f"/peer:process/transport:{transport}/")
            added = []
            for e in data["benchmarks"]:
                if e["name"].startswith("ipc/manager/get/"):
                    tcp = dict(e, name=renamed(e["name"], "tcp"),
                               run_name=renamed(e["run_name"], "tcp"))
                    if e["run_type"] == "iteration" or e.get("aggregate_name") != "cv":
                        tcp["real_time"] = e["real_time"] * 1.5
                    added.append(tcp)
                    e["name"], e["run_name"] = (renamed(e["name"], "unix"),
                                                renamed(e["run_name"], "unix"))
            data["benchmarks"] += added
            described = data["context"]["concbench"]["benchmarks"]
            for d in list(described):
                if d["name"].startswith("ipc/manager/get/"):
                    described.append(dict(d, name=renamed(d["name"], "tcp"),
                                          params={**d["params"], "transport": "tcp"}))
                    d["name"] = renamed(d["name"], "unix")
                    d["params"] = {**d["params"], "transport": "unix"}
        lines = answer_lines(rewritten("full_v2.json", tcp_beside_unix), "ipc")
        line = next(x for x in lines if x.startswith("manager round trip (get): TCP loopback vs "
                                                     "Unix socket: "))
        self.assertLess(line.index("pin:same"), line.index("pin:split"))
        self.assertLess(line.index("pin:split"), line.index("pin:none"))
        self.assertEqual(line.count("(1.5x ["), 3, line)  # the ratio at each placement
        self.assertFalse(any("TCP loopback" in x for x in answer_lines(load("full_v2.json"), "ipc")))

    def test_legacy_throughput_is_read_in_bytes_per_second(self):
        lines = answer_lines(load("full.json"), "ipc")
        tput = next(x for x in lines if x.startswith("throughput"))
        self.assertIn("GB/s", tput)


class RankingTest(unittest.TestCase):
    """A winner alone where intervals separate, else 'tie:' naming the tied."""

    @staticmethod
    def fmt(_, e):
        return units.fmt_estimate(e, "ns")

    def test_a_separated_winner_keeps_its_claim(self):
        est = {"a": stats.Estimate(10, 9, 11, 5), "b": stats.Estimate(20, 19, 21, 5)}
        self.assertEqual(ranking.winner_text(est, "lower", self.fmt, "fastest"),
                         "fastest: a 10 ns [9, 11 ns]")

    def test_a_tie_names_every_tied_variant_and_claims_nothing(self):
        est = {"a": stats.Estimate(10, 9, 12, 5), "b": stats.Estimate(11, 10, 13, 5),
               "c": stats.Estimate(11.5, 11, 14, 5), "d": stats.Estimate(30, 29, 31, 5)}
        self.assertEqual(ranking.winner_text(est, "lower", self.fmt, "fastest"),
                         "tie: a 10 ns [9, 12 ns], b 11 ns [10, 13 ns], c 11.5 ns [11, 14 ns] "
                         "(intervals overlap)")

    def test_every_tied_variant_is_named(self):
        est = {k: stats.Estimate(10 + i, 5, 30, 5) for i, k in enumerate("abcdef")}
        self.assertEqual(ranking.winner_text(est, "lower", self.fmt, "fastest"),
                         "tie: a 10 ns [5, 30 ns], b 11 ns [5, 30 ns], c 12 ns [5, 30 ns], "
                         "d 13 ns [5, 30 ns] and 2 more: e, f (intervals overlap)")

    def test_without_intervals_nothing_is_decided(self):
        nan = float("nan")
        est = {"a": stats.Estimate(10, nan, nan, 1), "b": stats.Estimate(20, nan, nan, 1)}
        self.assertTrue(ranking.winner_text(est, "lower", self.fmt, "fastest").startswith(
            "undecided: a 10 ns, b 20 ns (no interval"))

    def test_a_ranked_list_comes_in_tiers(self):
        est = {"a": stats.Estimate(10, 9, 11, 5), "b": stats.Estimate(20, 19, 22, 5),
               "c": stats.Estimate(21, 20, 23, 5), "d": stats.Estimate(40, 39, 41, 5),
               "e": stats.Estimate(50, 49, 51, 5)}
        self.assertEqual(ranking.tiered_text(est, "lower", self.fmt, 4),
                         "a 10 ns [9, 11 ns]; tie: b 20 ns [19, 22 ns], c 21 ns [20, 23 ns] "
                         "(intervals overlap); d 40 ns [39, 41 ns]; and 1 more")


class ListingAnswerTest(unittest.TestCase):
    def test_cheapest_first_with_intervals_and_ties(self):
        lines = answer_lines(load("full_v2.json"), "limits")
        self.assertIn("real_time, cheapest first: futex_pingpong/pin:split 2.62 us [2.55, 2.69 us]"
                      "; futex_pingpong/pin:same 5.02 us [4.71, 5.34 us];", lines[0])

        def close(data):  # spawn's thread and process start within each other's interval
            for e in data["benchmarks"]:
                if e["name"].startswith("spawn/process_start_join") and e["run_type"] == "iteration":
                    e["real_time"] = 28.5  # us
        run = rewritten("full_v2.json", close)
        text = "\n".join(answer_lines(run, "spawn"))
        self.assertIn("real_time, cheapest first: tie: thread_start_join 27.9 us [26.5, 29.3 us], "
                      "process_start_join", text)


class EveryFigureHasItsIntervalTest(unittest.TestCase):
    # A time, a rate or a ratio in an answer line, not inside an interval.
    FIGURE = re.compile(r"(?<![\[\w.:/])\d[\d.]* ?(?:[kMGT]? ?(?:ops/s|B/s)|[num]?s\b|x\b)")

    def test_every_answer_figure_is_followed_by_its_interval(self):
        md = summary.render(load("full_v2.json"))
        answer_lines_ = [x for x in md.splitlines() if x.startswith("- ")]
        self.assertTrue(answer_lines_)
        for line in answer_lines_:
            depth, outside = 0, []
            for ch in line:  # drop what is inside [..]: the intervals themselves
                depth += ch == "["
                outside.append(ch if depth == 0 else "[")
                depth -= ch == "]"
            flat = "".join(outside)
            for m in self.FIGURE.finditer(flat):
                self.assertTrue(flat[m.end():].startswith(" ["),
                                f"{m.group(0)!r} without an interval in: {line}")


class TableTest(unittest.TestCase):
    def test_sorted_grouped_and_every_counter(self):
        run = load("full_v2.json")
        table = tables.workload_table(run, run.workloads()["sum_squares"])
        labels = [r.cells[0].text for r in table.rows]
        self.assertTrue(labels[0].startswith("serial/"), labels)
        threads = [x for x in labels if x.startswith("threads/")]
        self.assertEqual(threads[:3], ["threads/tasks:1000/inner:10/workers:1",
                                       "threads/tasks:1000/inner:10/workers:2",
                                       "threads/tasks:1000/inner:10000/workers:1"])
        self.assertIn("vs serial [95% CI]", table.headers)
        bank = tables.workload_table(run, run.workloads()["bank"])
        for counter in ("ops_per_second", "balance_error", "final_balance", "expected_balance"):
            self.assertIn(counter, bank.headers)
        legacy = load("full.json")
        table = tables.workload_table(legacy, legacy.workloads()["bank"])
        self.assertIn("fairness_min", table.headers)
        self.assertIn("fairness_max", table.headers)
        self.assertNotIn("vs serial [95% CI]", table.headers)

    def test_counters_are_medians_with_their_intervals(self):
        run = load("full_v2.json")
        table = tables.workload_table(run, run.workloads()["sleep_io"])
        row = next(r for r in table.rows
                   if r.bench.name == "sleep_io/threads/tasks:8/sleep_ms:20/workers:2")
        cell = dict(zip(table.headers, (c.text for c in row.cells)))
        self.assertEqual(cell["makespan"], "80.6 ms [80.3, 81 ms]")
        self.assertEqual(cell["efficiency"], "0.992 [0.988, 0.997]")
        self.assertEqual(cell["threads_created"], "2")  # the same in every repetition
        self.assertIn("counters: median of the repetitions with its 95% repeat interval",
                      tables.note(run.workloads()["sleep_io"]))

    def test_a_loaded_run_says_so_in_the_summary(self):
        def loaded(data):
            data["context"]["concbench"]["loaded"] = True
            data["context"]["concbench"]["merged"] = [{"file": "cpython.json", "loaded": True}]
        md = summary.render(rewritten("full_v2.json", loaded))
        self.assertIn("**Loaded machine**: the run, cpython.json started with the 1-minute load "
                      "average above the CPUs it may use", md)
        self.assertNotIn("Loaded machine", summary.render(load("full_v2.json")))

    def test_engineering_units_everywhere(self):
        md = summary.render(load("full_v2.json"))
        self.assertNotRegex(md, r"\d\.?\d*e[+-]\d")
        self.assertIn(" M ops/s", md)
        self.assertIn(" GB/s", md)
        self.assertIn(" us", md)
        self.assertIn("] the cost of its floor", md)
        for workload in ("bank", "ipc", "limits", "sleep_io", "spawn", "sum_squares"):
            self.assertIn(f"## {workload}\n\n*{answers.question(workload)}*", md)

    def test_units_from_one_rule(self):
        for key in ("seconds_per_task", "cpu_seconds_per_task", "cpu_seconds", "makespan",
                    "ideal_makespan", "overhead_per_task"):
            self.assertEqual(units.counter_unit(key), "s", key)
        self.assertEqual(units.counter_unit("ns_per_op"), "ns")
        self.assertEqual(units.counter_unit("ops_per_second"), "ops/s")
        self.assertEqual(units.counter_unit("bytes_per_second"), "B/s")
        self.assertEqual(units.counter_unit("tasks"), "")
        self.assertEqual(units.fmt_counter("seconds_per_task", 3.02e-09), "3.02 ns")
        self.assertEqual(units.fmt_counter("cpu_seconds_per_task", 0.000218), "218 us")

    def test_rounding_rolls_over_to_the_next_prefix(self):
        self.assertEqual(units.fmt_num(999_960), "1 M")
        self.assertEqual(units.fmt_num(999.7), "1 k")
        self.assertEqual(units.fmt_num(999_400), "999 k")
        self.assertEqual(units.fmt_time(999_960), "1 ms")
        self.assertEqual(units.fmt_value(999.96e9, "B/s"), "1 TB/s")
        self.assertNotIn("e", units.fmt_num(2e-6) + units.fmt_time(3e-9) + units.fmt_num(5e13))

    def test_the_committed_baseline_has_no_scientific_notation(self):
        md = summary.render(results.load_run(os.path.join(helpers.ROOT, "results", "baseline",
                                                          "concbench.json")))
        self.assertNotRegex(md, r"\d\.?\d*e[+-]\d")
        self.assertNotIn("1e+03", md)

    def test_per_task_fits_with_intervals(self):
        md = summary.render(results.load_run(os.path.join(helpers.ROOT, "results", "baseline",
                                                          "concbench.json")))
        section = md[md.index("## sum_squares\n"):md.index("## sum_squares_skewed")]
        self.assertIn("Per-task fits:", section)
        self.assertIn("| series | tasks fitted | fixed cost per run [95% CI] | "
                      "cost per task [95% CI] |", section)
        rows = [x for x in section.splitlines() if x.startswith("| threads/workers:2 (inner:10)")]
        self.assertEqual(len(rows), 1, section)
        self.assertRegex(rows[0], r"\| 10000, 40000 \| [-0-9.]+ [mun]?s \[.*\] \| "
                                  r"[-0-9.]+ [mun]?s \[.*\] \|$")
        tiny = next(x for x in section.splitlines() if x.startswith("- tiny tasks (inner:10)"))
        self.assertRegex(tiny, r"tbb/workers:2 [0-9.]+ ns \[")

    def test_answer_lines_in_numeric_order(self):
        run = results.load_run(os.path.join(helpers.ROOT, "results", "baseline",
                                            "concbench.json"))
        lines = [x for x in answer_lines(run, "sleep_io")
                 if re.match(r"tasks:\d+/sleep_ms:\d+: ", x)]
        self.assertGreaterEqual(len(lines), 4)
        tasks = [int(x.split("/")[0].split(":")[1]) for x in lines]
        self.assertEqual(tasks, sorted(tasks), lines)

    def test_every_fixture_is_summarised(self):
        for name in ("full.json", "base.json", "full_v2.json", "failed_v2.json",
                     "smoke_v2.json", "with_error.json", "real_noise.json"):
            with self.subTest(name=name):
                run = load(name)
                md = summary.render(copy.deepcopy(run))
                self.assertIn("# concbench summary", md)
                for workload in run.workloads():
                    self.assertIn(f"## {workload}", md)


if __name__ == "__main__":
    unittest.main()
