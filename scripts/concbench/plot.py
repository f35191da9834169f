"""Redraws the charts, summary.md and report.html of a saved concbench run.

Usage: plot.py --in JSON --out DIR [--formats png,svg] [--history JSONL]
Writes DIR/charts/<workload>_<chart>.{png,svg}, DIR/summary.md,
DIR/report.html, DIR/estimates.json (every figure and ratio with its
interval, see estimates.py) and DIR/scaling.json (Amdahl and USL fits per
series of a map, see scaling.py); with --history (when the file exists) also
DIR/history/<workload>.{png,svg} (see history.py).
Exit status: 0 written; 2 bad usage or input; 3 written, but the run has
failed benchmarks (drawn and reported as failed).
"""

import os
import sys

from concbench import cli, results


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--in", dest="inp", required=True, help="concbench.json to draw")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--formats", default="png,svg", help="comma-separated (default png,svg)")
    p.add_argument("--history", help="also draw the trends of this history.jsonl "
                                     "(skipped when it does not exist)")
    args = p.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    unknown = [f for f in formats if f not in ("png", "svg", "pdf")]
    if unknown or not formats:
        p.error(f"--formats takes png, svg or pdf, not {','.join(unknown) or 'nothing'}")
    run = results.load_run(args.inp)
    cli.pyplot()  # fail early, with one line, when matplotlib is missing
    from concbench import charts, estimates, report, scaling, summary
    try:
        chart_dir = os.path.join(args.out, "charts")
        os.makedirs(chart_dir, exist_ok=True)
        written, svgs = charts.draw(run, chart_dir, formats)
        # A chart an earlier run drew and this one did not would read as this run's.
        for stale in charts.stale_files(chart_dir, written):
            os.unlink(stale)
        summary.write(run, os.path.join(args.out, "summary.md"))
        estimates.write(run, os.path.join(args.out, "estimates.json"))
        scaling.write(run, os.path.join(args.out, "scaling.json"))
    except OSError as e:
        raise cli.CbError(f"cannot write to {args.out}: {e.strerror or e}") from None
    report.write(run, os.path.join(args.out, "report.html"), svgs)
    if args.history and os.path.exists(args.history):
        from concbench import history
        written += history.plot(args.history, os.path.join(args.out, "history"), formats)
    line = report.failed_line(run)
    if line:
        raise cli.CbError(f"{line}; charts, summary.md and report.html in {args.out}",
                          report.EXIT_FAILED)
    print(f"concbench: wrote {len(written)} chart files, summary.md, report.html, "
          f"estimates.json and scaling.json to {args.out}", file=sys.stderr)
    return 0
