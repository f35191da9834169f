"""Keeps the medians of every run, so a slow drift over many commits shows.

Usage: history.py append --in JSON [--history results/history.jsonl] [--keep-failed]
       history.py plot [--history results/history.jsonl] --out DIR [--formats png,svg]
append adds one JSON line per run: revision, date, mode, machine and the median
(ns) of every benchmark with its 95% repeat interval (stats.median).
plot draws DIR/<workload>.{png,svg}: each benchmark's median relative to its
first recorded value, over the runs in file order, with the interval as an
error bar where the record has one (lines written before intervals were
recorded have none), one panel per machine and suite mode (only like is
compared with like).
A run with a failed benchmark is refused (exit status 3, one line) unless
--keep-failed: its medians leave out what failed, and would read as a change.
"""

import json
import math
import os
import sys

from concbench import cli, palette, results, stats
from concbench import names as names_


DEFAULT = os.path.join("results", "history.jsonl")
EXIT_FAILED = 3  # the input has a failed benchmark (README, "Exit statuses")
KEPT_CONTEXT = ("concbench_revision", "date", "concbench_mode", "cpu_model",
                "logical_cores", "host_name", "compiler", "build_type", "kernel")


def _median_intervals(run):
    """{name: [lo, hi]} of every median that has a finite interval."""
    out = {}
    for n, b in run.benches.items():
        if len(b.times_ns) > 1 and not b.failed:
            e = stats.median(b.times_ns)
            if math.isfinite(e.lo) and math.isfinite(e.hi):
                out[n] = [e.lo, e.hi]
    return out


def record(run):
    c = run.context
    return {"revision": str(c.get("concbench_revision", "unknown")),
            "date": str(c.get("date", "")), "mode": str(c.get("concbench_mode", "")),
            "context": {k: c[k] for k in KEPT_CONTEXT if k in c},
            "medians_ns": {n: b.median_ns for n, b in run.benches.items()
                           if b.times_ns and not b.failed},
            "median_intervals_ns": _median_intervals(run),
            "cv": {n: b.cv for n, b in run.benches.items()
                   if len(b.times_ns) > 1 and not b.failed and math.isfinite(b.cv)}}


def append(run, path):
    try:
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record(run), sort_keys=True) + "\n")
    except OSError as e:
        raise cli.CbError(f"cannot append to {path}: {e.strerror or e}") from None


def read(path):
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    raise cli.CbError(f"{path} line {i} is not valid JSON") from None
                if not isinstance(row, dict) or not isinstance(row.get("medians_ns"), dict):
                    raise cli.CbError(f"{path} line {i} is not a concbench history record")
                rows.append(row)
    except OSError as e:
        raise cli.CbError(f"cannot read {path}: {e.strerror or e}") from None
    if not rows:
        raise cli.CbError(f"{path} holds no runs")
    return rows


def _interval_of(row, name):
    """(lo, hi) of a recorded median, or None (older lines have none)."""
    found = (row.get("median_intervals_ns") or {}).get(name)
    if not (isinstance(found, list) and len(found) == 2
            and all(isinstance(x, (int, float)) for x in found)):
        return None
    lo, hi = found
    median = row["medians_ns"][name]
    return (min(lo, median), max(hi, median))


def plot(path, outdir, formats=("png", "svg")):
    """One figure per workload; returns the written files."""
    rows = read(path)
    plt = cli.pyplot()
    os.makedirs(outdir, exist_ok=True)
    written = []
    for wl, fig in draw(plt, rows):
        for fmt in formats:
            out = os.path.join(outdir, f"{wl}.{fmt}")
            fig.savefig(out, dpi=100)
            written.append(out)
        plt.close(fig)
    return written


def draw(plt, rows):
    """(workload, figure) for every workload of the history rows."""
    panels = {}
    for row in rows:
        ctx = row.get("context", {})
        key = f"{ctx.get('cpu_model', '?')}, {row.get('mode') or '?'} suite"
        panels.setdefault(key, []).append(row)
    workloads = sorted({n.split("/")[0] for r in rows for n in r["medians_ns"]})
    for wl in workloads:
        fig, axes = plt.subplots(len(panels), 1, figsize=(10, 4 * len(panels)), squeeze=False)
        for ax, (key, runs) in zip((a[0] for a in axes), panels.items()):
            names = sorted({n for r in runs for n in r["medians_ns"] if n.split("/")[0] == wl})
            seen = {}  # variant -> sub-series drawn so far (its line styles)
            for name in names:
                pts = [(i, r["medians_ns"][name], _interval_of(r, name))
                       for i, r in enumerate(runs) if r["medians_ns"].get(name)]
                first = pts[0][1] if pts else None
                if first:
                    # A variant keeps its colour and marker from the palette, as
                    # in every other chart; its parameter sets differ by line.
                    variant = names_.parse_name(name)[1]
                    look = palette.style(variant)
                    index = seen[variant] = seen.get(variant, -1) + 1
                    ax.plot([p[0] for p in pts], [p[1] / first for p in pts],
                            color=look.colour, marker=look.marker,
                            linestyle=palette.line_style(index),
                            label=name[len(wl) + 1:], markersize=3)
                    bars = [p for p in pts if p[2] is not None]
                    if bars:
                        ax.errorbar([p[0] for p in bars], [p[1] / first for p in bars],
                                    yerr=[[(p[1] - p[2][0]) / first for p in bars],
                                          [(p[2][1] - p[1]) / first for p in bars]],
                                    fmt="none", ecolor=look.colour, elinewidth=0.8, capsize=2)
            ax.axhline(1.0, color="gray", linestyle="--", linewidth=1)
            ax.set_xticks(range(len(runs)), [r["revision"][:8] for r in runs],
                          rotation=45, fontsize=7)
            ax.set_ylabel("median / first median\n(bars: 95% interval)")
            ax.set_title(key, fontsize=9)
            if names:
                ax.legend(fontsize=6, ncol=2)
        fig.suptitle(f"{wl}: median wall time over revisions (lower is faster)", fontsize=10)
        fig.tight_layout()
        yield wl, fig


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("append", help="append a run's medians and context")
    a.add_argument("--in", dest="inp", required=True)
    a.add_argument("--history", default=DEFAULT)
    a.add_argument("--keep-failed", action="store_true",
                   help="append a run with failed benchmarks (their medians left out)")
    d = sub.add_parser("plot", help="draw each benchmark's trend")
    d.add_argument("--history", default=DEFAULT)
    d.add_argument("--out", required=True)
    d.add_argument("--formats", default="png,svg")
    args = p.parse_args()
    if args.cmd == "append":
        run = results.load_run(args.inp)
        failed = [n for n, b in run.benches.items() if b.failed]
        if failed and not args.keep_failed:
            raise cli.CbError(
                f"{args.inp} has {len(failed)} failed benchmark{'s' if len(failed) > 1 else ''} "
                f"(first: {failed[0]}): not appended to {args.history} "
                "(--keep-failed appends it without them)", EXIT_FAILED)
        append(run, args.history)
    else:
        files = plot(args.history, args.out, [f for f in args.formats.split(",") if f])
        print(f"concbench: wrote {len(files)} history chart files to {args.out}", file=sys.stderr)
    return 0

