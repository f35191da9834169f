"""Redraws the charts and summary.md of a saved concbench run.

Usage: plot.py --in JSON --out DIR [--formats png,svg] [--history JSONL]
Writes DIR/charts/<workload>_<chart>.{png,svg} and DIR/summary.md; with
--history also DIR/history/<workload>.{png,svg} (see history.py).
"""

import os
import sys

from concbench import cli, results


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--in", dest="inp", required=True, help="concbench.json to draw")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--formats", default="png,svg", help="comma-separated (default png,svg)")
    p.add_argument("--history", help="also draw the trends of this history.jsonl")
    args = p.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    run = results.load_run(args.inp)
    cli.pyplot()  # fail early, with one line, when matplotlib is missing
    from concbench import charts
    from concbench import summary
    try:
        os.makedirs(args.out, exist_ok=True)
        written = charts.draw_all(run, os.path.join(args.out, "charts"), formats)
        summary.write(run, os.path.join(args.out, "summary.md"))
    except OSError as e:
        raise cli.CbError(f"cannot write to {args.out}: {e.strerror or e}") from None
    if args.history:
        from concbench import history
        written += history.plot(args.history, os.path.join(args.out, "history"), formats)
    print(f"concbench: wrote {len(written)} chart files and "
          f"{os.path.join(args.out, 'summary.md')}", file=sys.stderr)
    return 0

