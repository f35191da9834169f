"""Exports a concbench run for continuous-benchmarking services.

Usage: export.py --format bmf|gab IN.json OUT.json   (OUT '-' for stdout)
bmf: Bencher Metric Format, {name: {"latency": {value, lower_value, upper_value}}}
     in nanoseconds (median, min and max over the repetitions), plus a
     "throughput" measure for benchmarks with an ops/items/bytes per second counter.
gab: github-action-benchmark's customSmallerIsBetter list of
     {name, unit, value, range, extra} with the median in ns.
"""

import json
import sys

from concbench import cli, results, units


RATE_COUNTERS = ("ops_per_second", "items_per_second", "bytes_per_second")


def bmf(run):
    out = {}
    for name, b in run.benches.items():
        if not b.times_ns:
            continue
        entry = {"latency": {"value": b.median_ns, "lower_value": min(b.times_ns),
                             "upper_value": max(b.times_ns)}}
        for key in RATE_COUNTERS:
            if key in b.counters:
                v = b.counters[key]
                entry["throughput"] = {"value": b.counter(key), "lower_value": min(v),
                                       "upper_value": max(v)}
                break
        out[name] = entry
    return out


def gab(run):
    rev = run.context.get("concbench_revision", "unknown")
    out = []
    for name, b in run.benches.items():
        if not b.times_ns:
            continue
        half = (max(b.times_ns) - min(b.times_ns)) / 2
        cv = "-" if b.cv != b.cv else f"{b.cv * 100:.1f}%"
        out.append({"name": name, "unit": "ns", "value": round(b.median_ns, 3),
                    "range": f"± {half:.3f}",
                    "extra": f"median of {len(b.times_ns)} repetitions, CV {cv}; "
                             f"revision {rev}; {units.context_line(run.context)}"})
    return out


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=("bmf", "gab"), required=True)
    p.add_argument("inp", help="concbench.json")
    p.add_argument("out", help="output file, '-' for stdout")
    args = p.parse_args()
    run = results.load_run(args.inp)
    data = bmf(run) if args.format == "bmf" else gab(run)
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

