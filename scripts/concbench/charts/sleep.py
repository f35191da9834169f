"""The sleeping-task chart: efficiency (ideal makespan / measured makespan)
against the number of tasks N, one line per variant and worker form, one
panel per sleep duration. The ideal is ceil(N / workers) x d, and d for an
event loop, which the binary writes as the ideal_makespan counter. The
legend is grouped: a variant is its colour and marker, a worker form its
line style (the same in every variant), a CPython row half filled."""

from concbench import facts, figures, grouping, names, palette
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


def _style_form(key):
    """What a series' line style says: its worker form, or for a variant
    without workers (an event loop) its other parameters (style:callbacks)."""
    _, _, params = key
    form = dict(params).get("form")
    if form:
        return form
    return "/".join(f"{k}:{v}" for k, v in params if k not in (cpython.IMPL, "start", "chunk"))


def _form_order(form):
    """workers:1, workers:2, ... numerically, one per task, then the rest."""
    if form.startswith("workers:") and names.num(form.split(":", 1)[1]) is not None:
        return (0, names.num(form.split(":", 1)[1]), form)
    return (1 if form == "workers: one per task" else 2, 0, form)


# Line styles of the forms, in _form_order (more than palette.LINE_STYLES:
# a chart has the worker counts, one per task and an event loop's styles).
FORM_STYLES = ("-", "--", ":", "-.", (0, (5, 2, 1, 2, 1, 2)), (0, (8, 3)), (0, (1, 4)))


def _legend(ax, variants, forms, cpython_drawn):
    """The grouped legend: one entry per variant (colour and marker), one
    per form (line style, grey), and CPython's half-filled marker once."""
    for name in variants:
        st = palette.style(name)
        ax.plot([], [], color=st.colour, marker=st.marker, linestyle="-", label=name)
    for form, ls in forms.items():
        ax.plot([], [], color="#555555", linestyle=ls, label=f"line: {form or 'no workers'}")
    if cpython_drawn:
        ax.plot([], [], color="#555555", marker="o", linestyle="none",
                label="half filled: CPython rows", **common.CPYTHON_MARKER)


def efficiency(plt, run, workload, benches, context):
    # Efficiency against N: a row without a task count (the sleep floor,
    # limits/sleep) has no place on this axis.
    rows = [b for b in benches if b.variant != "serial" and "tasks" in b.params
            and (figures.usable(figures.efficiency(b)) or b.failed)]
    if not any(figures.usable(figures.efficiency(b)) for b in rows):
        return []
    sleep_key = next((k for k in ("sleep_ms", "sleep_us") if any(k in b.params for b in rows)),
                     None)
    panels = grouping.group_by(rows, lambda b: b.params.get(sleep_key, "") if sleep_key else "")
    fig, axes = common.grid(plt, len(panels), cols=2, panel_w=5.2)
    all_series = grouping.group_by([b for b in rows if not b.failed], _series_key)
    forms = sorted({_style_form(k) for k in all_series}, key=_form_order)
    forms = {f: FORM_STYLES[i % len(FORM_STYLES)] for i, f in enumerate(forms)}
    variants = list(dict.fromkeys(k[0] for k in all_series))
    _legend(axes[0], variants, forms, any(cpython.is_row(bs[0]) for bs in all_series.values()))
    for ax, (d, members) in zip(axes, panels.items()):
        series = grouping.group_by([b for b in members if not b.failed], _series_key)
        values, ns = [1.0], []
        for key, bs in series.items():
            bs = sorted(bs, key=lambda b: names.num(b.params.get("tasks")) or 0)
            xs = [names.num(b.params.get("tasks")) for b in bs]
            est = [figures.efficiency(b) for b in bs]
            handle = common.line(ax, xs, est, key[0], 0, None, cpython=cpython.is_row(bs[0]))
            if handle is not None:
                handle.set_linestyle(forms[_style_form(key)])
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
