"""The shared-state charts: updates per second against workers, one line per
primitive on a log axis, one panel per mode (threads, processes) and form;
the racy primitive (no lock) is drawn apart, grey and dotted, as what it is.
The other forms (the seed's round, a critical section, a sleep) as bars per
primitive."""

from concbench import facts, figures, grouping, names, palette
from concbench.charts import common, cpython

RACY_LABEL = "{} (racy: loses updates, not a lock)"


def _form(bench):
    """What a panel holds: modes and parameters but the worker count (an
    MPI row's `ranks` counts its workers too)."""
    return (bench.modes, tuple((k, v) for k, v in bench.params.items()
                               if k not in names.WORKER_PARAMS))


def _worker_word(benches):
    """'ranks' when the rows count their workers in ranks, else 'workers'."""
    keys = {k for b in benches for k in b.params if k in names.WORKER_PARAMS}
    return "/".join(k for k in names.WORKER_PARAMS if k in keys) or "workers"


def _form_title(form):
    modes, params = form
    return "/".join(list(modes) + [f"{k}:{v}" for k, v in params])


def _rate_rows(benches):
    return [b for b in benches if figures.usable(figures.rate(b)) or b.failed]


def _twin_form(bench):
    """A CPython row's form without impl:cpython (its C++ twin's form)."""
    modes, params = _form(bench)
    return modes, tuple((k, v) for k, v in params if k != cpython.IMPL)


def _split(benches):
    """(forms run at two worker counts or more, the other forms); a CPython
    row joins its C++ twin's form when the run has it."""
    rows = _rate_rows(benches)
    cpp = {_form(b) for b in rows if not cpython.is_row(b)}
    forms = grouping.group_by(rows, lambda b: _twin_form(b) if cpython.is_row(b)
                              and _twin_form(b) in cpp else _form(b))
    lines = {f: bs for f, bs in forms.items()
             if len({facts.workers(b) for b in bs if not cpython.is_row(b)}) >= 2}
    bars = {f: bs for f, bs in forms.items() if f not in lines}
    return lines, bars


def throughput(plt, run, workload, benches, context):
    lines, _ = _split(benches)
    if not lines:
        return []
    fig, axes = common.grid(plt, len(lines), cols=2, panel_w=5.0)
    for ax, (form, members) in zip(axes, lines.items()):
        values, ws = [], []
        for (name, py), bs in grouping.group_by([b for b in members if not b.failed],
                                                lambda b: (b.variant, cpython.is_row(b))).items():
            bs = sorted(bs, key=lambda b: facts.workers(b) or 0)
            xs = [facts.workers(b) or 1 for b in bs]
            est = [figures.rate(b) for b in bs]
            ws += xs
            shown = name + (cpython.LABEL if py else "")
            if facts.is_racy(bs[0]):
                st = palette.style(name)
                ok = [(x, e) for x, e in zip(xs, est) if figures.usable(e)]
                ax.plot([x for x, _ in ok], [e.value for _, e in ok], color=st.colour,
                        linestyle=":", marker=st.marker, label=RACY_LABEL.format(shown),
                        **(common.CPYTHON_MARKER if py else {}))
                for x, e in ok:  # its intervals too, as every other line's
                    ax.errorbar([x], [e.value], yerr=common.error(e), fmt="none",
                                ecolor=st.colour, capsize=2, elinewidth=1)
                values += [e.value for _, e in ok]
            else:
                common.line(ax, xs, est, name, 1 if py else 0, shown, cpython=py)
                values += [e.value for e in est if figures.usable(e)]
        common.count_axis(ax, "x", ws)
        common.eng_axis(ax, "y", "ops/s", values, force_log=True)
        ax.set_xlabel(_worker_word(members))
        ax.set_ylabel(f"updates per second (all {_worker_word(members)})")
        common.panel_title(ax, _form_title(form))
        common.failed_note(ax, members)
    title = "Which lock is cheapest, alone and contended? Updates per second against workers"
    common.finish(fig, axes, title, context)
    return [common.Chart(workload, "throughput", title, fig)]


def forms(plt, run, workload, benches, context):
    """Each remaining form: a point per primitive with its interval; the
    racy primitive last, after a gap, grey."""
    _, groups = _split(benches)
    if not groups:
        return []
    fig, axes = common.grid(plt, len(groups), cols=3)
    for ax, (form, members) in zip(axes, groups.items()):
        members = sorted(members, key=facts.is_racy)
        values, ticks, xs = [], [], []
        for i, b in enumerate(members):
            x = i + (0.6 if facts.is_racy(b) else 0.0)
            xs.append(x)
            py = cpython.is_row(b)
            shown = b.variant + (cpython.LABEL if py else "")
            ticks.append(shown + (" (racy)" if facts.is_racy(b) else ""))
            e = figures.rate(b)
            if figures.usable(e):
                common.point(ax, x, e, b.variant, cpython=py,
                             label=RACY_LABEL.format(shown) if facts.is_racy(b) else shown)
                values.append(e.value)
        ax.set_xticks(xs, ticks, rotation=35, ha="right", fontsize=7)
        ax.set_xlim(-0.6, max(xs) + 0.6)
        common.eng_axis(ax, "y", "ops/s", values)
        ax.set_ylabel("updates per second")
        workers = {facts.workers(b) for b in members}
        common.panel_title(ax, _form_title(form) + (
            f"/{_worker_word(members)}:{workers.pop():g}"
            if len(workers) == 1 and None not in workers else ""))
        common.failed_note(ax, members)
    title = ("What do a critical section, a sleep or a short round do to each lock? "
             "Updates per second per primitive")
    common.finish(fig, axes, title, context)
    return [common.Chart(workload, "forms", title, fig)]
