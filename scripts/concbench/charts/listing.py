"""The chart of a workload without a richer recipe (start-up costs, the
machine's limits, a workload added later): each benchmark's primary metric
as a point with its interval (a dot plot, readable on a log axis), one
panel per metric; a benchmark that names a floor (spawn's starts: fork,
posix_spawn, thread create) has that floor drawn on its row, a dashed
tick in the floor's colour, as the ipc charts draw theirs."""

from concbench import answers, figures, grouping, palette, stats
from concbench.charts import common, cpython

TIME_FACTORS = {"s": 1.0, "ns": 1e-9, "us": 1e-6, "ms": 1e-3}


def _value(bench):
    """(Estimate, axis unit): times in seconds, anything else as declared."""
    e = figures.primary(bench)
    factor = TIME_FACTORS.get(bench.metric.unit)
    if factor and figures.usable(e):
        return stats.Estimate(e.value * factor, e.lo * factor, e.hi * factor, e.n), "s"
    return e, bench.metric.unit


def _floor(run, bench, unit):
    """(floor benchmark, its Estimate) when bench names a measured floor in
    the same unit as its own figure, else None."""
    f = figures.floor_bench(run, bench)
    if f is None or f.failed or bench.failed:
        return None
    e, floor_unit = _value(f)
    return (f, e) if figures.usable(e) and floor_unit == unit else None


def _draw_floor(ax, y, floor, e):
    """A dashed tick at the floor's value across row y (with its interval
    shaded); returns the value drawn."""
    colour = palette.style(floor.variant).colour
    ax.vlines(e.value, y - 0.4, y + 0.4, colors=colour, linestyles="--", linewidth=1.5,
              label=f"floor: {grouping.label(floor)}")
    if figures.has_interval(e):
        ax.fill_betweenx([y - 0.4, y + 0.4], e.lo, e.hi, color=colour, alpha=0.15)
    return e.value


def dots(plt, run, workload, benches, context, stem="times"):
    rows = grouping.ordered(benches)
    panels = grouping.group_by(rows, lambda b: (b.metric.name, b.metric.unit))
    height = max(common.PANEL_H, 0.3 * max(len(v) for v in panels.values()) + 1.2)
    fig, axes = common.grid(plt, len(panels), cols=2, panel_w=5.6, panel_h=height)
    for ax, ((metric, _), bs) in zip(axes, panels.items()):
        drop = grouping.common_params(bs)
        values, labels = [], []
        unit = ""
        for y, b in enumerate(bs):
            labels.append(cpython.series_label(None, b, grouping.label(b, drop))
                          + (" (failed)" if b.failed else ""))
            e, unit = _value(b)
            if not b.failed and figures.usable(e):
                common.hpoint(ax, y, e, b.variant, cpython=cpython.is_row(b),
                              label=b.variant + (cpython.LABEL if cpython.is_row(b) else ""))
                values.append(e.value)
            floor = _floor(run, b, unit)
            if floor is not None:
                values.append(_draw_floor(ax, y, *floor))
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.invert_yaxis()
        common.eng_axis(ax, "x", unit, values)
        better = bs[0].metric.better
        ax.set_xlabel(f"{metric} ({'lower' if better == 'lower' else 'higher'} is better)")
        common.panel_title(ax, metric)
    title = answers.question(workload)
    common.finish(fig, axes, title, context)
    return [common.Chart(workload, stem, title, fig)]
