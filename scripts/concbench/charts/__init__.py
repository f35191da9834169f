"""Charts of a concbench run, one family per module: maps (speedup against
workers, cost per tiny task), sleep (efficiency against N), bank (updates
per second against workers, other forms), channels (latency, throughput,
requests, placement first), listing (everything else: start-up, limits).

Each recipe looks at the data of one workload and draws only when its data
is there, so a workload added later is drawn without touching this package;
a workload no recipe draws gets the listing chart.
"""

import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

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


def _metadata(fmt):
    return {"Date": None} if fmt in ("svg", "pdf") else None


def save(chart, outdir, formats, svg=None):
    """Writes <outdir>/<workload>_<stem>.<fmt> for each format; returns paths.
    `svg`, the chart's svg_text when the caller has it, is written as is
    instead of being drawn again."""
    written = []
    for fmt in formats:
        path = os.path.join(outdir, f"{chart.workload}_{chart.stem}.{fmt}")
        if fmt == "svg" and svg is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(svg)
        else:
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


# The run and destination of the current draw(), read by its forked workers.
_JOB = {}


def _draw_workloads(workloads):
    """Draws the charts of these workloads: (written paths, [(workload,
    title, svg)])."""
    run, outdir, formats = _JOB["run"], _JOB["outdir"], _JOB["formats"]
    plt = cli.pyplot()
    written, svgs = [], []
    benches_of = run.workloads()
    with plt.rc_context(RC):
        for workload in workloads:
            for chart in charts_of(plt, run, workload, benches_of[workload]):
                try:
                    svg = svg_text(chart)
                    if outdir is not None:
                        written += save(chart, outdir, formats, svg)
                    svgs.append((workload, chart.title, svg))
                finally:
                    plt.close(chart.fig)
    return written, svgs


def _shares(run, jobs):
    """The workloads split into `jobs` shares of about equal size (drawing
    time grows with a workload's benchmarks)."""
    shares = [[] for _ in range(jobs)]
    sizes = [0] * jobs
    for workload, benches in sorted(run.workloads().items(), key=lambda w: -len(w[1])):
        i = sizes.index(min(sizes))
        shares[i].append(workload)
        sizes[i] += len(benches)
    return [share for share in shares if share]


def draw(run, outdir=None, formats=("png", "svg"), jobs=None):
    """Draws every chart of the run: into outdir in each format (nothing is
    written when outdir is None) and as SVG text for the report. Workloads
    are drawn in `jobs` forked processes at once (default: one per CPU, as
    the run has ended and the CPUs are free). Returns (written paths, {workload:
    [(title, svg)]} in workload order)."""
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), len(run.workloads())))
    _JOB.update(run=run, outdir=outdir, formats=tuple(formats))
    try:
        shares = _shares(run, jobs)
        if len(shares) <= 1:
            parts = [_draw_workloads(share) for share in shares]
        else:
            # A worker that dies raises BrokenProcessPool here, never a hang.
            with ProcessPoolExecutor(len(shares),
                                     mp_context=multiprocessing.get_context("fork")) as pool:
                parts = list(pool.map(_draw_workloads, shares))
    finally:
        _JOB.clear()
    written, svgs = [], {}
    for part_written, _ in parts:
        written += part_written
    drawn = [item for _, part in parts for item in part]
    for workload in sorted({w for w, _, _ in drawn}):
        svgs[workload] = [(title, svg) for w, title, svg in drawn if w == workload]
    return sorted(written), svgs


def draw_all(run, outdir, formats=("png", "svg")):
    """Draws every chart into outdir; returns the written paths."""
    os.makedirs(outdir, exist_ok=True)
    return draw(run, outdir, formats)[0]
