"""The sleeping-task chart: efficiency (ideal makespan / measured makespan)
against the number of tasks N, one line per variant and worker form, one
panel per sleep duration. The ideal is ceil(N / workers) x d, and d for an
event loop, which the binary writes as the ideal_makespan counter."""

from concbench import facts, figures, grouping, names
from concbench.charts import common, cpython

IDEAL_LABEL = "ideal: ceil(N / workers) x d (event loop: d)"


def _form(bench):
    """'one per task' when workers == tasks, else workers:W (or '')."""
    if facts.one_per_task(bench):
        return "workers: one per task"
    w = bench.params.get("workers")
    return f"workers:{w}" if w else ""


def _series_key(bench):
    rest = tuple((k, v) for k, v in bench.params.items()
                 if k not in ("tasks", "sleep_ms", "workers", "sleep_us"))
    return (bench.variant, bench.modes, rest + ((("form", _form(bench)),) if _form(bench) else ()))


def _label(key):
    variant, modes, params = key
    return "/".join([variant, *modes] + [v if k == "form" else f"{k}:{v}" for k, v in params])


def efficiency(plt, run, workload, benches, context):
    rows = [b for b in benches if b.variant != "serial"
            and (figures.usable(figures.efficiency(b)) or (b.failed and "tasks" in b.params))]
    if not any(figures.usable(figures.efficiency(b)) for b in rows):
        return []
    sleep_key = next((k for k in ("sleep_ms", "sleep_us") if any(k in b.params for b in rows)),
                     None)
    panels = grouping.group_by(rows, lambda b: b.params.get(sleep_key, "") if sleep_key else "")
    fig, axes = common.grid(plt, len(panels), cols=2, panel_w=5.2)
    for ax, (d, members) in zip(axes, panels.items()):
        series = grouping.group_by([b for b in members if not b.failed], _series_key)
        by_variant = {}
        for key, bs in series.items():
            by_variant.setdefault(key[0], []).append((key, bs))
        values, ns = [1.0], []
        for name, items in by_variant.items():
            for index, (key, bs) in enumerate(items):
                bs = sorted(bs, key=lambda b: names.num(b.params.get("tasks")) or 0)
                xs = [names.num(b.params.get("tasks")) for b in bs]
                est = [figures.efficiency(b) for b in bs]
                common.line(ax, xs, est, name, index, cpython.series_label(key, bs[0], _label(key)),
                            cpython=cpython.is_row(bs[0]))
                values += [e.value for e in est if figures.usable(e)]
                ns += [x for x in xs if x]
        ax.axhline(1.0, color="#888888", linestyle="--", linewidth=1, label=IDEAL_LABEL)
        common.count_axis(ax, "x", ns)
        common.eng_axis(ax, "y", "", values)
        if not common.spans_decades(values):
            ax.set_ylim(0, max(1.05, max(values) * 1.05))
        ax.set_xlabel("tasks N")
        ax.set_ylabel("efficiency (1 = ideal)")
        common.panel_title(ax, f"{sleep_key}:{d}" if sleep_key else "all")
        common.failed_note(ax, [b for b in members if b.failed])
    title = ("How close to the ideal makespan does each way of waiting come? "
             "Efficiency against the number of sleeping tasks")
    common.finish(fig, axes, title, context)
    return [common.Chart(workload, "efficiency", title, fig)]
