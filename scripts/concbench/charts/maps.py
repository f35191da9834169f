"""Charts of the map workloads (a `serial` variant and worker counts):
speedup over serial against workers with the ideal line, and for tiny tasks
the cost per task, with a fixed-cost + per-task fit where the run has two
task counts of the same map."""

import math

from concbench import answers, facts, figures, fits, grouping, names, palette, scaling, units
from concbench.charts import common, cpython

SPEEDUP_QUESTION = {"sleep": "Do threads help when the work is sleeping?"}


def _ideal(kind, workers, tasks, cores):
    """The ideal speedup at `workers`: min(workers, cores) for CPU-bound work;
    N / ceil(N / workers) for N sleeping tasks (sleeps overlap without cores)."""
    if kind == "sleep" and tasks:
        return tasks / math.ceil(tasks / workers)
    if kind == "cpu":
        return min(workers, cores) if cores else workers
    return None


def speedup(plt, run, workload, benches, context):
    rows = [b for b in benches if b.variant != "serial" and figures.baseline(run, b)]
    if not rows or not any(figures.usable(figures.speedup(run, b)) for b in rows):
        return []
    panel_of = cpython.panel_shapes(rows, grouping.shape)
    shapes = grouping.group_by(rows, panel_of)
    fig, axes = common.grid(plt, len(shapes))
    cores = names.num(run.context.get("logical_cores") or run.context.get("num_cpus"))
    kind = rows[0].metric.kind
    for ax, (shape, members) in zip(axes, shapes.items()):
        drop = {k for k, _ in shape} | {*names.WORKER_PARAMS, "tasks"}
        ws = sorted({facts.workers(b) for b in members if facts.workers(b)})
        values, predicted = [], False
        for name, series in _series(members, drop):
            for index, (key, bs) in _numbered(series):
                label = cpython.series_label(key, bs[0], grouping.series_label(key, drop))
                with_w = [b for b in bs if facts.workers(b)]
                if with_w:
                    xs = [facts.workers(b) for b in with_w]
                    est = [figures.speedup(run, b) for b in with_w]
                    f = (scaling.fit_points(key, label, xs, est, scaling.cores(run))
                         if kind == "cpu" else None)
                    if f is not None and f.usl is not None:
                        p = f.usl.params
                        label += (f" (USL σ {scaling.param_text(p['sigma'])}, "
                                  f"κ {scaling.param_text(p['kappa'], 2)})")
                        values += _draw_fit(ax, f, name)
                        predicted = True
                    common.line(ax, xs, est, name, index, label, cpython=cpython.is_row(bs[0]))
                else:
                    est = [figures.speedup(run, b) for b in bs]
                    e = est[0]
                    if figures.usable(e):
                        st = palette.style(name)
                        ax.axhline(e.value, color=st.colour, linestyle=palette.line_style(index),
                                   label=f"{label} (one thread, all tasks at once)")
                        if figures.has_interval(e):
                            ax.axhspan(e.lo, e.hi, color=st.colour, alpha=0.12)
                values += [e.value for e in est if figures.usable(e)]
        if predicted:  # legend entries in grey: the curves take their series' colour
            ax.plot([], [], color="#555555", linewidth=0.8, label=FIT_LABEL)
            ax.plot([], [], color="#555555", linewidth=1, linestyle="--", label=PREDICTION_LABEL)
        tasks = names.num(dict(shape).get("tasks"))
        if ws:
            grid_w = sorted(set(ws) | {1.0} | ({float(scaling.PREDICT_TO)} if predicted else set()))
            ideal = [_ideal(kind, w, tasks, cores) for w in grid_w]
            if all(i is not None for i in ideal):
                ax.plot(grid_w, ideal, color="#888888", linestyle="--", linewidth=1,
                        label="ideal: min(workers, cores)" if kind == "cpu"
                        else "ideal: N / ceil(N / workers)")
                values += ideal
            common.count_axis(ax, "x", grid_w)
        ax.axhline(1.0, color="black", linestyle=":", linewidth=1, label="serial (1x)")
        common.eng_axis(ax, "y", "x", values + [1.0])
        ax.set_xlabel("workers")
        ax.set_ylabel("speedup over its own serial")
        common.panel_title(ax, cpython.panel_title(shape, members, grouping.params_text(shape)))
        common.failed_note(ax, [b for b in benches if b.failed and panel_of(b) == shape])
    title = (SPEEDUP_QUESTION.get(kind, answers.question(workload))
             + " Speedup over serial against workers")
    common.finish(fig, axes, title, context)
    return [common.Chart(workload, "speedup", title, fig)]


FIT_LABEL = "USL fit through the points (thin)"
PREDICTION_LABEL = (f"USL prediction to {scaling.PREDICT_TO} workers (dashed, not measured; "
                    "band: its 95% interval)")


def _draw_fit(ax, f, name):
    """The USL curve of a Fit: thin through the measured workers, dashed
    beyond them to scaling.PREDICT_TO; returns the drawn values (for the axis)."""
    colour = palette.style(name).colour
    lo, hi = min(f.workers), max(f.workers)
    inside = [lo + (hi - lo) * i / 40 for i in range(41)]
    beyond = [hi * (scaling.PREDICT_TO / hi) ** (i / 40) for i in range(41)]
    ax.plot(inside, [f.usl.predict(w) for w in inside], color=colour, linewidth=0.8,
            alpha=0.8)
    ax.plot(beyond, [f.usl.predict(w) for w in beyond], color=colour, linewidth=1,
            linestyle="--", alpha=0.8)
    band = [f.usl.predict_estimate(w) for w in beyond]
    if all(figures.has_interval(e) for e in band):
        ax.fill_between(beyond, [e.lo for e in band], [e.hi for e in band], color=colour,
                        alpha=0.12, linewidth=0)
    return [f.usl.predict(w) for w in inside + beyond]


def _series(benches, drop):
    """[(variant, [(series key, benches)])]: the series of each variant, so
    that one variant's series share its colour and differ in line style;
    its C++ series first, then its CPython ones, each numbered from 0."""
    by_key = grouping.group_by(benches, lambda b: grouping.series_key(b, drop))
    out = {}
    for key, bs in sorted(by_key.items(), key=lambda item: cpython.is_row(item[1][0])):
        out.setdefault(key[0], []).append((key, bs))
    return list(out.items())


def _numbered(series):
    """(line style index, series): C++ and CPython series numbered apart,
    so each implementation's first series is solid."""
    count = {}
    for key, bs in series:
        py = cpython.is_row(bs[0])
        count[py] = count.get(py, -1) + 1
        yield count[py], (key, bs)


def per_task(plt, run, workload, benches, context):
    """Cost per task for tiny tasks, one group of panels per kind of task;
    where a series ran at two task counts or more, the fit instead."""
    tiny = [b for b in benches if answers.is_tiny(run, b) and not b.failed]
    if not tiny:
        return []
    works = grouping.group_by(tiny, cpython.panel_shapes(tiny, answers.work_of))
    plans = []  # (work, series, fitted)
    for work, members in works.items():
        series = grouping.group_by(members, lambda b: grouping.series_key(b, ("tasks",)))
        plans.append((work, series, fits.task_fits(members)))
    n_panels = sum(3 if fitted else 1 for _, _, fitted in plans)
    rows = max(len(series) for _, series, _ in plans)
    fig, axes = common.grid(plt, n_panels, cols=3, panel_h=max(common.PANEL_H, 0.22 * rows + 1.2))
    i = 0
    for work, series, fitted in plans:
        where = grouping.params_text(work) or "tiny tasks"
        if fitted:
            _fit_panels(axes[i:i + 3], series, fitted, work)
            i += 3
            continue
        ax = axes[i]
        i += 1
        labels, values = [], []
        for y, (key, bs) in enumerate(series.items()):
            b = max(bs, key=lambda x: names.num(x.params.get("tasks")) or 0)
            e = figures.per_task(b)
            if figures.usable(e):
                common.hpoint(ax, y, e, b.variant, cpython=cpython.is_row(b))
                values.append(e.value)
            labels.append(cpython.series_label(
                key, b, grouping.label(b, drop={k for k, _ in grouping.shape(b)} | {"tasks"})))
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.invert_yaxis()
        common.eng_axis(ax, "x", "s", values)
        ax.set_xlabel("wall time per task")
        common.panel_title(ax, f"{where}: time / tasks")
    title = "What does handing a tiny task over cost? Wall time per task"
    common.finish(fig, axes, title, context)
    return [common.Chart(workload, "per_task", title, fig)]


def _fit_panels(axes, series, fitted, work):
    """Time against tasks with the fitted lines; the slopes; the fixed costs."""
    ax_t, ax_slope, ax_fixed = axes
    drop = {k for k, _ in work}
    where = grouping.params_text(work) or "tiny tasks"
    times, slopes, fixed, labels = [], [], [], []
    for key, bs in series.items():
        name = key[0]
        bs = sorted(bs, key=lambda b: names.num(b.params.get("tasks")))
        xs = [names.num(b.params.get("tasks")) for b in bs]
        f = fitted.get(key)
        label = None if f is not None else \
            cpython.series_label(key, bs[0], grouping.series_label(key, drop | {"tasks"}))
        for x, b in zip(xs, bs):
            e = figures.primary(b)
            if figures.usable(e):
                common.point(ax_t, x, e, name, label=label, cpython=cpython.is_row(b))
                times.append(e.value)
        if f is None:
            continue
        st = palette.style(name)
        ax_t.plot(xs, [f.fixed.value + f.per_task.value * x for x in xs], color=st.colour,
                  linestyle="--", linewidth=1, label=grouping.series_label(key, drop))
        y = len(labels)
        labels.append(grouping.series_label(key, drop))
        slopes.append((y, f.per_task, name))
        fixed.append((y, f.fixed, name))
    common.count_axis(ax_t, "x", [names.num(b.params.get("tasks")) for bs in series.values()
                                  for b in bs])
    common.eng_axis(ax_t, "y", "s", times)
    ax_t.set_xlabel("tasks")
    ax_t.set_ylabel("wall time per run")
    common.panel_title(ax_t, f"{where}: time against tasks (dashed: fit)")
    for ax, what, entries in ((ax_slope, f"{where}: cost per task (slope)", slopes),
                              (ax_fixed, f"{where}: fixed cost per run (intercept)", fixed)):
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.invert_yaxis()
        _positive_on_log(ax, entries)
        common.panel_title(ax, what)


NON_POSITIVE = "#b00020"


def _positive_on_log(ax, entries):
    """Fitted values (y, Estimate, name) on a log axis: the positive ones as
    points with their intervals; a fit that came out zero or negative (noise
    tilting a line through few points) has no place on it and is written at
    the panel's left edge instead, in red, with its value and interval."""
    positive = [(y, e, n) for y, e, n in entries if e.value > 0]
    for y, e, name in positive:
        common.hpoint(ax, y, e, name)
    values = [e.value for _, e, _ in positive]
    values += [e.hi for _, e, _ in positive if figures.has_interval(e) and e.hi > 0]
    common.eng_axis(ax, "x", "s", values or [1e-9, 1e-6], force_log=True)
    edge = ax.get_yaxis_transform()  # x in axes fractions, y in data
    for y, e, name in entries:
        if e.value > 0:
            continue
        ax.plot([0.0], [y], transform=edge, marker="<", color=NON_POSITIVE, markersize=6,
                linestyle="none", clip_on=False)
        ax.text(0.03, y, f"≤ 0: {units.fmt_estimate(e, 's')}", transform=edge, fontsize=6.5,
                color=NON_POSITIVE, va="center", ha="left")
    if len(positive) < len(entries):
        ax.plot([], [], marker="<", color=NON_POSITIVE, linestyle="none",
                label="fit ≤ 0 (at the left edge: no place on a log axis)")
