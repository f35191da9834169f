"""Compares two concbench runs benchmark by benchmark, with the gate's rule.

Usage: compare.py A.json B.json [--threshold T] [--alpha A] [--sensitivity S]
                  [--report JSON] [--force]
A is the base, B the new run. Prints, for every benchmark in both files, each
side's estimate of the primary metric, the change with its 95% interval, the
minimum detectable effect and the Holm-adjusted p-value of the test that
decided the verdict (see gate.py). Runs of different modes, machines,
repetitions or min_time, or with fewer than half of their benchmarks in
common, are refused unless --force (like.py). Exit status as regress.py: 0
nothing slower, 1 slower, 2 bad usage or input, 3 a benchmark failed (in
either run: a failure in the base alone is named in one line too), 4 too few
repetitions or rounds.
"""

import sys

from concbench import cli, gate, like, regress, results


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("a", help="base run (JSON)")
    p.add_argument("b", help="new run (JSON)")
    p.add_argument("--threshold", type=float, default=gate.DEFAULT_THRESHOLD,
                   help="practical margin (default %(default)s)")
    p.add_argument("--alpha", type=float, default=gate.DEFAULT_ALPHA,
                   help="chance of any false 'slower' in the suite (default %(default)s)")
    p.add_argument("--sensitivity", type=float, default=gate.DEFAULT_SENSITIVITY,
                   help="'same' only where the MDE is at most this (default %(default)s)")
    p.add_argument("--report", help="also write the verdicts as JSON to this file")
    p.add_argument("--force", action="store_true",
                   help="compare unlike runs (different modes, machines, repetitions, "
                        "min_time or benchmark sets); warns on every table")
    args = p.parse_args()
    cli.require("numpy")
    a = results.load_run(args.a, allow_failed=True)
    b = results.load_run(args.b, allow_failed=True)
    warnings = like.check_like(a, b, args.force)
    status = regress.judge(a, b, args, warnings)  # 3 for a failure on either side
    base_only_failed = [n for n, x in a.benches.items() if x.failed and n not in b.benches]
    if base_only_failed:
        print(f"concbench: failed in the base run: {', '.join(base_only_failed)}",
              file=sys.stderr)
        return regress.EXIT_FAILED
    return status
