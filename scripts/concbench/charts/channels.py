"""The channel charts, placement first (one panel per peer kind and
placement): round-trip latency against message size with the floors the
benchmarks name (the bare primitive at the same placement), throughput as
bars per size with each size's floor (memcpy), and single requests (the
manager's) as bars per placement."""

from concbench import facts, figures, grouping, names, stats
from concbench.answer_ipc import size_text
from concbench.charts import common, cpython

QUESTIONS = {
    "latency": "Which channel answers fastest, and where should its ends run? "
               "Round trip against message size",
    "throughput": "Which channel moves bytes fastest? Throughput per message size",
    "requests": "What does one request to a server process cost at each placement?",
}


def _channel(bench):
    """A channel's series: its variant, C++ or CPython apart."""
    return (bench.variant, cpython.is_row(bench))


def _pattern(bench):
    return "/".join(bench.modes) or bench.variant


def _panel_key(bench):
    return (bench.params.get("peer", ""), facts.placement_text(bench))


def _panel_order(bench):
    return (bench.params.get("peer", ""), facts.placement_order(bench))


def _panel_title(key):
    peer, place = key
    return f"{'peer:' + peer + ', ' if peer else ''}{place}"


def _scaled(e, factor):
    if not figures.usable(e):
        return None
    return stats.Estimate(e.value * factor, e.lo * factor, e.hi * factor, e.n)


def seconds(bench):
    """The primary metric in seconds when it is a time, else None."""
    factor = {"s": 1.0, "ns": 1e-9, "us": 1e-6, "ms": 1e-3}.get(bench.metric.unit)
    return _scaled(figures.primary(bench), factor) if factor else None


def _is_throughput(pattern, members):
    return "throughput" in pattern or members[0].metric.unit == "B/s"


CPU_COUNTER = "cpu_seconds"


def cpu(bench):
    """CPU seconds of the whole process tree per round trip (the cpu_seconds
    counter), or None."""
    return figures.counter(bench, CPU_COUNTER, "lower")


def _size_panel(ax, bs, value, floors, ylabel):
    """One line per channel of value(bench) against message size, with the
    given floors ({label: Estimate}) across the panel, on engineering axes."""
    values, sizes = [], []
    for (name, py), series in grouping.group_by([b for b in bs if not b.failed],
                                                _channel).items():
        series.sort(key=lambda b: names.num(b.params.get("size")) or 0)
        xs = [names.num(b.params.get("size")) or 1 for b in series]
        est = [value(b) for b in series]
        common.line(ax, xs, est, name, 1 if py else 0, name + (cpython.LABEL if py else ""),
                    cpython=py)
        values += [e.value for e in est if figures.usable(e)]
        sizes += xs
    for label, e in floors.items():
        _floor_line(ax, e, label)
        values.append(e.value)
    common.count_axis(ax, "x", sizes)
    ax.xaxis.set_major_formatter(common.ticker().FuncFormatter(lambda v, _: size_text(v)))
    common.eng_axis(ax, "y", "s", values)
    ax.set_xlabel("message size")
    ax.set_ylabel(ylabel)


def _cpu_panel(ax, bs, key):
    """The CPU each channel burns per round trip, against size: beside the
    latency, so a channel that is fast because it spins shows it."""
    _size_panel(ax, bs, cpu, {}, "CPU per round trip (all processes)")
    common.panel_title(ax, f"{_panel_title(key)}: CPU burnt")


def _latency_panel(ax, run, bs, key):
    """Round trip against size; a floor bounds every size (the 8-byte round
    trip of the bare primitive at the same placement)."""
    _size_panel(ax, bs, seconds, _floors(run, bs, seconds), "round trip")
    common.panel_title(ax, _panel_title(key))
    common.failed_note(ax, bs)


def latency(plt, run, workload, benches, context, pattern, members):
    """Round trip against size, one panel per peer and placement; where the
    rows carry the cpu_seconds counter, each row of panels has a row of the
    CPU burnt per round trip under it."""
    panels = list(grouping.group_by(members, _panel_key, order=_panel_order).items())
    with_cpu = any(figures.usable(cpu(b)) for b in members if not b.failed)
    cols = min(common.MAX_COLS, len(panels))
    chunks = [panels[i:i + cols] for i in range(0, len(panels), cols)]
    fig, axes = common.grid(plt, len(chunks) * cols * (2 if with_cpu else 1), cols=cols)
    drawn = []
    for row, chunk in enumerate(chunks):
        base = row * cols * (2 if with_cpu else 1)
        for i, (key, bs) in enumerate(chunk):
            _latency_panel(axes[base + i], run, bs, key)
            drawn.append(axes[base + i])
            if with_cpu:
                _cpu_panel(axes[base + cols + i], bs, key)
                drawn.append(axes[base + cols + i])
    for ax in axes:
        if ax not in drawn:
            ax.set_visible(False)
    title = QUESTIONS["latency"] + ("" if pattern == "pingpong" else f" ({pattern})")
    note = common.NOTE + ("; under each row: the CPU the whole process tree burns per round "
                          "trip (a spinning channel is fast because it burns a CPU)"
                          if with_cpu else "")
    common.finish(fig, drawn, title, context, note)
    return common.Chart(workload, pattern.replace("/", "_"), title, fig)


def _floors(run, members, value):
    """{label: Estimate} of each distinct floor the members name, valued by
    `value` (seconds, bytes per second), in the members' order."""
    out = {}
    for b in members:
        f = figures.floor_bench(run, b)
        if f is None or f.failed:
            continue
        e = value(f)
        if figures.usable(e):
            out.setdefault(grouping.label(f), e)
    return out


def _floor_line(ax, e, label, xmin=None, xmax=None):
    """A dashed floor across the panel, or over [xmin, xmax] in data units."""
    style = dict(color="#555555", linestyle="--", linewidth=1.2, label=f"floor: {label}")
    if xmin is None:
        ax.axhline(e.value, **style)
        if figures.has_interval(e):
            ax.axhspan(e.lo, e.hi, color="#555555", alpha=0.1)
        return
    ax.hlines(e.value, xmin, xmax, **style)
    if figures.has_interval(e):
        ax.fill_between([xmin, xmax], e.lo, e.hi, color="#555555", alpha=0.1)


def throughput(plt, run, workload, benches, context, pattern, members):
    panels = grouping.group_by(members, _panel_key, order=_panel_order)
    fig, axes = common.grid(plt, len(panels), cols=2, panel_w=5.2)
    for ax, (key, bs) in zip(axes, panels.items()):
        sizes = sorted({names.num(b.params.get("size")) or 0 for b in bs})
        channels = list(grouping.group_by(bs, _channel))
        width = 0.8 / max(len(channels), 1)
        values = []
        for b in bs:
            if b.failed:
                continue
            e = figures.bytes_per_second(b)
            if not figures.usable(e):
                continue
            x = sizes.index(names.num(b.params.get("size")) or 0)
            x += (channels.index(_channel(b)) - (len(channels) - 1) / 2) * width
            py = cpython.is_row(b)
            common.bar(ax, x, e, b.variant, width=width, cpython=py,
                       label=b.variant + (cpython.LABEL if py else ""))
            values.append(e.value)
        # Each size has its own floor (memcpy of that size): a segment over
        # that size's bars.
        for x, size in enumerate(sizes):
            same_size = [b for b in bs if (names.num(b.params.get("size")) or 0) == size]
            for label, e in _floors(run, same_size, figures.bytes_per_second).items():
                _floor_line(ax, e, label, x - 0.45, x + 0.45)
                values.append(e.value)
        ax.set_xticks(range(len(sizes)), [size_text(s) for s in sizes])
        common.eng_axis(ax, "y", "B/s", values)
        ax.set_xlabel("message size")
        ax.set_ylabel("payload bytes per second")
        common.panel_title(ax, _panel_title(key))
        common.failed_note(ax, bs)
    title = QUESTIONS["throughput"] + ("" if pattern == "throughput" else f" ({pattern})")
    common.finish(fig, axes, title, context)
    return common.Chart(workload, pattern.replace("/", "_"), title, fig)


def requests(plt, run, workload, groups, context):
    """Patterns without sizes (a manager's append, get): bars per placement."""
    fig, axes = common.grid(plt, len(groups))
    for ax, ((pattern, variant), bs) in zip(axes, groups.items()):
        values, ticks = [], []
        # Placement first, as the answers read; a placement's transports side by side.
        for x, b in enumerate(sorted(bs, key=facts.placement_order)):
            py = cpython.is_row(b)
            transport = b.params.get("transport")  # the manager's: unix, tcp
            ticks.append((facts.placement(b) or grouping.label(b)) +
                         (f" {transport}" if transport else "") + (cpython.LABEL if py else ""))
            e = seconds(b)
            if figures.usable(e):
                common.bar(ax, x, e, b.variant, width=0.6, cpython=py,
                           label=b.variant + (cpython.LABEL if py else ""))
                values.append(e.value)
        ax.set_xticks(range(len(ticks)), ticks, rotation=20, ha="right", fontsize=7)
        common.eng_axis(ax, "y", "s", values)
        ax.set_ylabel("round trip")
        common.panel_title(ax, f"{variant}: {pattern}" if pattern != variant else variant)
        common.failed_note(ax, bs)
    title = QUESTIONS["requests"]
    common.finish(fig, axes, title, context)
    return common.Chart(workload, "requests", title, fig)


def charts(plt, run, workload, benches, context):
    """Every channel chart of a workload whose benchmarks all carry a
    placement and a pattern (pingpong, throughput, a request). A workload
    where only some do (the limits: a fork has no placement) is left to the
    listing chart, which draws every benchmark."""
    rows = [b for b in benches if facts.placement(b) and b.modes]
    if not rows or len(rows) != len(benches):
        return []
    out, single = [], {}
    for pattern, members in grouping.group_by(rows, _pattern).items():
        if not any("size" in b.params for b in members):
            for b in members:
                single.setdefault((pattern, b.variant), []).append(b)
        elif _is_throughput(pattern, members):
            out.append(throughput(plt, run, workload, benches, context, pattern, members))
        else:
            out.append(latency(plt, run, workload, benches, context, pattern, members))
    if single:
        out.append(requests(plt, run, workload, single, context))
    return out
