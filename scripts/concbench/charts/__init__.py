"""Charts of a concbench run, one family per module: maps (speedup against
workers, cost per tiny task), sleep (efficiency against N), bank (updates
per second against workers, other forms), channels (latency, throughput,
requests, placement first), listing (everything else: start-up, limits).

Each recipe looks at the data of one workload and draws only when its data
is there, so a workload added later is drawn without touching this package;
a workload no recipe draws gets the listing chart.
"""

import io
import os

from concbench import cli, units
from concbench.charts import bank, channels, listing, maps, sleep

RECIPES = (maps.speedup, maps.per_task, sleep.efficiency, bank.throughput, bank.forms,
           channels.charts)
# svg.hashsalt and no date in the SVG metadata: the same run draws the same files.
RC = {"svg.fonttype": "none", "svg.hashsalt": "concbench", "font.size": 9, "axes.titlesize": 9, "axes.labelsize": 8,
      "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.grid": True, "grid.alpha": 0.3,
      "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100}


def charts_of(plt, run, workload, benches):
    """The Charts of one workload (benchmarks that failed included: they are
    named in their panels)."""
    context = units.context_line(run.context)
    out = [c for recipe in RECIPES for c in recipe(plt, run, workload, benches, context)]
    if not out and any(not b.failed for b in benches):
        out = listing.dots(plt, run, workload, benches, context)
    return out


def each_chart(run):
    """Yields every Chart of the run, workload by workload (sorted); the
    caller saves it, then it is closed."""
    plt = cli.pyplot()
    with plt.rc_context(RC):
        for workload, benches in sorted(run.workloads().items()):
            for chart in charts_of(plt, run, workload, benches):
                try:
                    yield chart
                finally:
                    plt.close(chart.fig)


def _metadata(fmt):
    return {"Date": None} if fmt in ("svg", "pdf") else None


def save(chart, outdir, formats):
    """Writes <outdir>/<workload>_<stem>.<fmt> for each format; returns paths."""
    written = []
    for fmt in formats:
        path = os.path.join(outdir, f"{chart.workload}_{chart.stem}.{fmt}")
        chart.fig.savefig(path, dpi=100, bbox_inches="tight", metadata=_metadata(fmt))
        written.append(path)
    return written


def stale_files(outdir, written):
    """The chart files (png, svg, pdf) in outdir that are not in written."""
    keep = {os.path.abspath(w) for w in written}
    return [os.path.join(outdir, n) for n in sorted(os.listdir(outdir))
            if n.rsplit(".", 1)[-1] in ("png", "svg", "pdf")
            and os.path.abspath(os.path.join(outdir, n)) not in keep]


def svg_text(chart):
    """The chart as an SVG document (text)."""
    buf = io.StringIO()
    chart.fig.savefig(buf, format="svg", bbox_inches="tight", metadata=_metadata("svg"))
    return buf.getvalue()


def draw_all(run, outdir, formats=("png", "svg")):
    """Draws every chart into outdir; returns the written paths."""
    os.makedirs(outdir, exist_ok=True)
    written = []
    for chart in each_chart(run):
        written += save(chart, outdir, formats)
    return written
