"""What every chart shares: small multiples in a grid of sane size, one
legend outside the data, log axes where values span more than a decade with
engineering tick labels, error bars from the intervals, unstable results
hatched (bars) or hollow (points), and the palette's fixed styles."""

import math
from typing import NamedTuple

from concbench import figures, grouping, palette, stats

PANEL_W, PANEL_H = 4.4, 3.3   # inches per panel
MAX_COLS = 3
DECADE = 10.0
UNSTABLE_HATCH = "///"
# CPython rows beside their C++ twins: the same colour and marker, half filled.
CPYTHON_MARKER = {"fillstyle": "bottom", "markerfacecoloralt": "white"}
CPYTHON_ALPHA = 0.4  # and bars in the same colour, paler
NOTE = (f"error bars: {stats.CONFIDENCE * 100:g}% intervals; hatched or hollow: unstable "
        f"(interval wider than {stats.UNSTABLE_WIDTH * 100:g}%)")


class Chart(NamedTuple):
    """One figure: `stem` names its files (<workload>_<stem>.svg), `title`
    is the question it answers, `fig` the matplotlib figure."""
    workload: str
    stem: str
    title: str
    fig: object


def grid(plt, n, cols=MAX_COLS, panel_w=PANEL_W, panel_h=PANEL_H, sharey=False):
    """A figure of n panels, at most `cols` a row; unused panels hidden."""
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel_w * cols, panel_h * rows),
                             squeeze=False, sharey=sharey)
    flat = [ax for row in axes for ax in row]
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def ticker():
    """matplotlib.ticker (imported on demand, like every matplotlib module)."""
    from concbench import cli
    return cli.require("matplotlib.ticker")


def spans_decades(values):
    """True when every value is positive and the largest is over ten times
    the smallest (a log axis then shows them all)."""
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return bool(vals) and min(vals) > 0 and max(vals) / min(vals) > DECADE


def eng_axis(ax, axis, unit, values, force_log=False):
    """Engineering tick labels in `unit` ('s', 'B/s', 'ops/s', 'x' or ''),
    and a log scale when `values` span more than a decade; a linear axis
    gets at most five labels and starts at zero when no value is negative."""
    tk = ticker()
    target = ax.yaxis if axis == "y" else ax.xaxis
    log = force_log or spans_decades(values)
    if log:
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    if unit == "x":
        fmt = tk.FuncFormatter(lambda v, _: f"{v:g}x")
    elif unit == "":
        fmt = tk.FuncFormatter(lambda v, _: f"{v:g}")
    else:
        fmt = tk.EngFormatter(unit=unit, sep=" ")
    target.set_major_formatter(fmt)
    if not log:
        target.set_major_locator(tk.MaxNLocator(nbins=5))
        vals = [v for v in values if v is not None and math.isfinite(v)]
        if vals and min(vals) >= 0:  # a linear axis of sizes starts at zero
            (ax.set_ylim if axis == "y" else ax.set_xlim)(0, None)
    if log:
        vals = [v for v in values if v and v > 0 and math.isfinite(v)]
        few = bool(vals) and max(vals) / min(vals) < DECADE ** 2
        target.set_minor_formatter(
            tk.FuncFormatter(lambda v, _: fmt(v) if few and _mantissa(v) in (2, 5) else "")
        )


def _mantissa(v):
    if v <= 0:
        return 0
    m = v / 10 ** math.floor(math.log10(v))
    return round(m) if abs(m - round(m)) < 1e-6 else 0


def count_axis(ax, axis, values):
    """An axis of counts (workers, tasks): log base 2 when they span a
    decade or more, ticks at the values themselves."""
    tk = ticker()
    vals = sorted({v for v in values if v is not None and v > 0})
    if vals and vals[-1] / vals[0] >= DECADE:
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log", base=2)
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(tk.FixedLocator(vals))
    target.set_major_formatter(tk.FuncFormatter(lambda v, _: f"{v:g}"))
    target.set_minor_locator(tk.NullLocator())


def error(e):
    """[[below], [above]] error bar lengths of an Estimate (0 when unknown)."""
    if not figures.has_interval(e):
        return [[0.0], [0.0]]
    return [[max(e.value - e.lo, 0.0)], [max(e.hi - e.value, 0.0)]]


def point(ax, x, e, name, linestyle_index=0, label=None, cpython=False):
    """One point with its interval in `name`'s style; hollow when unstable,
    half filled for a CPython row."""
    st = palette.style(name)
    ax.errorbar([x], [e.value], yerr=error(e), fmt=st.marker, color=st.colour,
                markerfacecolor="white" if figures.unstable(e) else st.colour,
                capsize=2, markersize=6, label=label, elinewidth=1,
                **(CPYTHON_MARKER if cpython else {}))


def hpoint(ax, y, e, name, label=None, cpython=False):
    """A point at (e.value, y) with a horizontal interval, in `name`'s
    style; half filled for a CPython row."""
    st = palette.style(name)
    ax.errorbar([e.value], [y], xerr=error(e), fmt=st.marker, color=st.colour,
                markerfacecolor="white" if figures.unstable(e) else st.colour,
                capsize=2, markersize=6, elinewidth=1, label=label,
                **(CPYTHON_MARKER if cpython else {}))


def line(ax, xs, ests, name, index=0, label=None, cpython=False):
    """A series: a line through the estimates, error bars, hollow markers
    where unstable. A CPython series (cpython=True) has half-filled markers
    and a thinner line. Returns the line handle for the legend."""
    st = palette.style(name)
    xs_ok = [x for x, e in zip(xs, ests) if figures.usable(e)]
    es = [e for e in ests if figures.usable(e)]
    if not es:
        return None
    extra = CPYTHON_MARKER if cpython else {}
    (handle,) = ax.plot(xs_ok, [e.value for e in es], linestyle=palette.line_style(index),
                        color=st.colour, marker=st.marker, label=label, markersize=6,
                        linewidth=1.0 if cpython else 1.5, **extra)
    for x, e in zip(xs_ok, es):
        ax.errorbar([x], [e.value], yerr=error(e), fmt="none", ecolor=st.colour,
                    capsize=2, elinewidth=1)
        if figures.unstable(e):
            ax.plot([x], [e.value], marker=st.marker, color=st.colour,
                    markerfacecolor="white", linestyle="none", markersize=6)
    return handle


def bar(ax, x, e, name, width=0.8, label=None, horizontal=False, cpython=False):
    """A bar with its interval, hatched when unstable; paler for a CPython row."""
    st = palette.style(name)
    hatch = UNSTABLE_HATCH if figures.unstable(e) else None
    err = error(e)
    kwargs = dict(color=st.colour, alpha=CPYTHON_ALPHA if cpython else 0.85, hatch=hatch, edgecolor="white" if not hatch
                  else "black", linewidth=0.5, label=label, capsize=2)
    if horizontal:
        return ax.barh(x, e.value, height=width, xerr=err, **kwargs)
    return ax.bar(x, e.value, width=width, yerr=err, **kwargs)


def failed_note(ax, benches, drop=()):
    """Names the failed benchmarks of a panel inside it (they have no figure)."""
    failed = [grouping.label(b, drop) for b in benches if b.failed]
    if failed:
        text = "failed: " + ", ".join(failed[:3]) + (" ..." if len(failed) > 3 else "")
        ax.text(0.01, 0.99, text, transform=ax.transAxes, va="top", ha="left", fontsize=7,
                color="#b00020", bbox=dict(facecolor="white", edgecolor="#b00020", pad=2))


REFERENCE_LABELS = ("ideal", "serial", "floor")


def _plain(handle):
    """A bar's legend entry without the hatch its first bar may carry."""
    patches = getattr(handle, "patches", None)
    if patches:
        from matplotlib.patches import Patch
        return Patch(facecolor=patches[0].get_facecolor(), edgecolor="none")
    return handle


def _legend_order(label):
    """References (ideal, serial, floor) first, then names in palette order."""
    if label.startswith(REFERENCE_LABELS):
        return (0, palette.order(""), label)
    return (1, palette.order(label.split("/")[0].split(" ")[0]), label)


def legend_outside(fig, axes):
    """One legend for the whole figure, right of the panels, without
    duplicates, references first and names in the palette's order."""
    seen = {}
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        for h, lab in zip(handles, labels):
            if lab and not lab.startswith("_") and lab not in seen:
                seen[lab] = h
    if seen:
        labels = sorted(seen, key=_legend_order)
        fig.legend([_plain(seen[k]) for k in labels], labels, loc="upper left",
                   bbox_to_anchor=(1.0, 0.98), fontsize=8, frameon=False)


def finish(fig, axes, title, context, note=NOTE):
    """Title (the question), context and note; legend outside; tight layout."""
    legend_outside(fig, axes)
    fig.suptitle(title, fontsize=11, x=0.01, ha="left", y=1.0)
    fig.text(0.01, 0.0, f"{context}\n{note}", fontsize=7, color="#444444", ha="left",
             va="top")
    fig.tight_layout(rect=(0, 0, 1, 0.96))


def panel_title(ax, text):
    ax.set_title(text, fontsize=9)
