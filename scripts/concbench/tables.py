"""The table of one workload, shared by summary.md and report.html: one row
per benchmark, sorted and grouped (variant, modes, parameters), the primary
metric with its interval, CV, repetitions, speedup over serial and ratio to
the floor where they exist, and every counter (median of the repetitions,
with its interval) in engineering units. A failed benchmark shows its error
and no figure."""

import math
from typing import NamedTuple

from concbench import facts, figures, fits, grouping, stats, units

UNSTABLE_MARK = "~"
FIGURE_HEADER = "figure [95% CI]"


class Cell(NamedTuple):
    text: str
    sort: object  # a number, or a string; None sorts last


class Row(NamedTuple):
    bench: object
    cells: list
    failed: bool
    unstable: bool
    racy: bool


class Table(NamedTuple):
    headers: list
    rows: list
    common: str   # the parameters every row shares, e.g. 'tasks:10000'
    figure: str = FIGURE_HEADER   # the header of the column the answers read


def counter_keys(benches):
    """Every counter of the workload, in first-seen order, except those that
    repeat a name parameter or a benchmark's primary metric."""
    keys = []
    params = {k for b in benches for k in b.params}
    primaries = {b.metric.name for b in benches}
    for b in benches:
        keys += [k for k in b.counters if k not in keys]
    return [k for k in keys if k not in params and k not in primaries]


def _figure_cell(bench):
    if bench.failed:
        return Cell(f"FAILED: {bench.errors[0]}", None)
    e = figures.primary(bench)
    if not figures.usable(e):
        return Cell("-", None)
    text = units.fmt_estimate(e, bench.metric.unit)
    if figures.unstable(e):
        text += f" {UNSTABLE_MARK}"
    return Cell(text, e.value)


def _counter_cell(bench, key):
    """The counter's median with its interval; the value alone where every
    repetition agreed (a point interval says nothing more)."""
    e = None if bench.failed else figures.counter_median(bench, key)
    if not figures.usable(e):
        return Cell("-", None)
    point = e.lo == e.hi == e.value
    return Cell(units.fmt_estimate(e, units.counter_unit(key), interval=not point), e.value)


def _ratio_cell(e):
    if not figures.usable(e):
        return Cell("-", None)
    return Cell(units.fmt_ratio(e), e.value)


def workload_table(run, benches):
    """The Table of one workload's benchmarks (failed ones included)."""
    benches = grouping.ordered(benches)
    common = grouping.common_params([b for b in benches if not b.failed] or benches)
    metrics = {(b.metric.name, b.metric.kind) for b in benches}
    speedups = {b.name: figures.speedup(run, b) for b in benches}
    floors = {b.name: figures.floor_ratio(run, b) for b in benches}
    show_speedup = any(figures.usable(e) for e in speedups.values())
    show_floor = any(figures.usable(e) for e in floors.values())
    counters = counter_keys(benches)
    headers = ["benchmark"]
    if len(metrics) > 1:
        headers.append("metric")
    headers += [FIGURE_HEADER, "CV", "reps"]
    if show_speedup:
        headers.append("vs serial [95% CI]")
    if show_floor:
        headers.append("x floor [95% CI]")
    headers += counters
    rows = []
    for i, b in enumerate(benches):
        racy = facts.is_racy(b)
        label = grouping.label(b, drop=common) + (" (racy)" if racy else "")
        cells = [Cell(label, i)]
        if len(metrics) > 1:
            cells.append(Cell(f"{b.metric.name} ({stats.estimator_name(b.metric.kind)})",
                              b.metric.name))
        cells.append(_figure_cell(b))
        cv = figures.cv(b.values) if not b.failed else math.nan
        cells.append(Cell("-" if math.isnan(cv) else f"{cv * 100:.1f}%",
                          None if math.isnan(cv) else cv))
        cells.append(Cell(str(len(b.values)), len(b.values)))
        if show_speedup:
            cells.append(_ratio_cell(speedups[b.name]))
        if show_floor:
            cells.append(_ratio_cell(floors[b.name]))
        cells += [_counter_cell(b, key) for key in counters]
        rows.append(Row(b, cells, b.failed, figures.unstable(figures.primary(b)), racy))
    common_text = ", ".join(f"{k}:{benches[0].params[k]}" for k in benches[0].params
                            if k in common) if benches else ""
    return Table(headers, rows, common_text)


def note(benches):
    """What the figures are, for the line under each table."""
    kinds = sorted({b.metric.kind for b in benches})
    est = ", ".join(f"{k}: {stats.estimator_name(k)}" for k in kinds)
    return (f"figure: the primary metric's estimate ({est}) with its 95% repeat interval; "
            f"{UNSTABLE_MARK} marks an interval wider than {stats.UNSTABLE_WIDTH * 100:g}%; "
            "counters: median of the repetitions with its 95% repeat interval (the value "
            "alone where every repetition gave the same).")


FITS_HEADERS = ["series", "tasks fitted", "fixed cost per run [95% CI]",
                "cost per task [95% CI]"]


def fits_table(benches):
    """The fits of a map workload (fits.workload_fits): per variant and
    worker count, the fixed cost and the per-task slope of time = fixed +
    per task x tasks, each with its interval; None when nothing was run at
    two task counts."""
    found = fits.workload_fits(benches)
    if not found:
        return None
    rows = []
    for i, sf in enumerate(found):
        f = sf.fit
        where = grouping.params_text(sf.work)
        label = f"{sf.label} ({where})" if where else sf.label
        cells = [Cell(label, i),
                 Cell(", ".join(f"{t:g}" for t in f.tasks), len(f.tasks)),
                 Cell(units.fmt_estimate(f.fixed, "s"), f.fixed.value),
                 Cell(units.fmt_estimate(f.per_task, "s"), f.per_task.value)]
        bench = next(b for b in benches if grouping.series_key(b, ("tasks",)) == sf.key)
        rows.append(Row(bench, cells, False, figures.unstable(f.per_task), False))
    return Table(FITS_HEADERS, rows, "", FITS_HEADERS[-1])


FITS_NOTE = ("time per run = fixed cost + cost per task x tasks, fitted through each task "
             "count's estimate (scipy.stats.linregress); 95% intervals from a bootstrap of "
             "the repetitions; a negative value is noise tilting a line through few points.")
