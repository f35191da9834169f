"""Exports a concbench run for continuous-benchmarking services.

Usage: export.py --format bmf|gab|gab-bigger [--skip-failed] IN.json OUT.json
       (OUT '-' for stdout)
Every figure is the primary metric's estimate (stats.py) with its 95%
interval, in the metric's own direction:
bmf: Bencher Metric Format, {name: {measure: {value, lower_value, upper_value}}}
     with the measure "latency" (nanoseconds) for a lower-is-better time and
     "throughput" (per second) for a higher-is-better rate; a benchmark that
     also counts bytes, items or operations per second gets that
     "throughput" measure too.
gab: github-action-benchmark's customSmallerIsBetter list {name, unit, value,
     range, extra}: every lower-is-better primary metric.
gab-bigger: its customBiggerIsBetter list: every higher-is-better primary
     metric, plus the rate counter (bytes/items/ops per second) of the others.
Exit status: 0 written; 2 bad usage or input; 3 the run has failed benchmarks
(nothing written) unless --skip-failed, which exports the others.
"""

import json
import sys

from concbench import cli, figures, results, stats, units

EXIT_FAILED = 3
RATE_COUNTERS = ("bytes_per_second", "items_per_second", "ops_per_second")
TIME_NS = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0}


def _bounds(e, scale=1.0):
    lo = e.lo if figures.has_interval(e) else e.value
    hi = e.hi if figures.has_interval(e) else e.value
    return {"value": e.value * scale, "lower_value": lo * scale, "upper_value": hi * scale}


def rate_counter(bench):
    """(counter name, Estimate) of the first rate counter, or None."""
    for key in RATE_COUNTERS:
        e = figures.counter(bench, key, "higher")
        if figures.usable(e):
            return key, e
    return None


def bmf(run):
    out = {}
    for name, b in run.benches.items():
        e = figures.primary(b)
        if b.failed or not figures.usable(e):
            continue
        entry = {}
        m = b.metric
        if m.better == "lower" and m.unit in TIME_NS:
            entry["latency"] = _bounds(e, TIME_NS[m.unit])
        elif m.better == "higher":
            entry["throughput"] = _bounds(e)
        else:
            entry[m.name] = _bounds(e)
        rate = rate_counter(b)
        if rate and "throughput" not in entry:
            entry["throughput"] = _bounds(rate[1])
        out[name] = entry
    return out


def _gab_row(name, e, unit, bench, run, what):
    half = (e.hi - e.lo) / 2 if figures.has_interval(e) else 0.0
    return {"name": name, "unit": unit, "value": e.value, "range": f"± {half:.6g}",
            "extra": f"{what} ({stats.estimator_name(bench.metric.kind)} of "
                     f"{len(bench.values)} repetitions, 95% interval "
                     f"[{e.lo:.6g}, {e.hi:.6g}]); {units.context_line(run.context)}"}


def gab(run, bigger=False):
    """github-action-benchmark rows: smaller-is-better, or bigger-is-better."""
    out = []
    for name, b in run.benches.items():
        e = figures.primary(b)
        if b.failed or not figures.usable(e):
            continue
        m = b.metric
        if m.better == "lower" and not bigger:
            scale = TIME_NS.get(m.unit)
            if scale:
                e = stats.Estimate(e.value * scale, e.lo * scale, e.hi * scale, e.n)
            out.append(_gab_row(name, e, "ns" if scale else m.unit, b, run, m.name))
        elif m.better == "higher" and bigger:
            out.append(_gab_row(name, e, m.unit, b, run, m.name))
        elif bigger:
            rate = rate_counter(b)
            if rate:
                key, r = rate
                out.append(_gab_row(f"{name} [{key}]", r, units.counter_unit(key), b, run,
                                    key))
    return out


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=("bmf", "gab", "gab-bigger"), required=True)
    p.add_argument("--skip-failed", action="store_true",
                   help="export the benchmarks that did not fail instead of refusing the run")
    p.add_argument("inp", help="concbench.json")
    p.add_argument("out", help="output file, '-' for stdout")
    args = p.parse_args()
    run = results.load_run(args.inp)
    cli.require("numpy")
    failed = [b for b in run.benches.values() if b.failed]
    if failed and not args.skip_failed:
        raise cli.CbError(f"{args.inp} has {len(failed)} failed benchmark"
                          f"{'s' if len(failed) > 1 else ''} (first: {failed[0].name}: "
                          f"{failed[0].errors[0]}); nothing exported (--skip-failed exports "
                          "the others)", EXIT_FAILED)
    if args.format == "bmf":
        data = bmf(run)
    else:
        data = gab(run, bigger=args.format == "gab-bigger")
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise cli.CbError(f"cannot write {args.out}: {e.strerror or e}") from None
    return 0
