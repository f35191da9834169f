"""The derived results of a run: every figure and ratio with its interval.

estimates.json sits next to the Google Benchmark JSON. For every benchmark:
its primary metric's estimate (stats.py: the kind's estimator) with a 95%
repeat interval (where a repeat of the run would land), whether that interval is wider than stats.UNSTABLE_WIDTH
("unstable"), whether the benchmark failed, and, where they exist, its
speedup over the matching serial benchmark and its ratio to the floor it
names, each with an interval. Reports, charts and exports read these figures
instead of recomputing them. `task_fits`: per series of a CPU-bound map run
at two task counts or more (variant, modes and parameters but tasks), the
fixed cost per run and the cost per task in seconds, each with its
interval (fits.py).

Usage: estimates.py --in JSON --out FILE
"""

import math

from concbench import cli, fits, results, stats


def _interval(e):
    finite = math.isfinite(e.value)
    return {"value": e.value if finite else None,
            "lo": e.lo if math.isfinite(e.lo) else None,
            "hi": e.hi if math.isfinite(e.hi) else None,
            "n": e.n, "unstable": bool(finite and e.unstable)}


def serial_of(run, bench):
    """The serial benchmark with the same workload and work (or None)."""
    if bench.variant == "serial":
        return None
    ref = run.serial_baseline(bench)
    return ref if ref is not None and not ref.failed else None


def speedup(run, bench):
    """serial / variant (higher is faster), with its interval, or None."""
    ref = serial_of(run, bench)
    if ref is None or bench.failed or ref.metric != bench.metric:
        return None
    m = bench.metric
    if m.better == "lower":
        return stats.ratio(ref.values, bench.values, m.kind, m.better)
    return stats.ratio(bench.values, ref.values, m.kind, m.better)


def _stretch_ratio(bench, floor):
    """A sleeping map against one sleep: a makespan over one sleep would
    count the rounds, so both sides are compared by their stretch over their
    own ideal time (1 / their `efficiency` counter, per repetition)."""
    def stretch(b):
        return [1 / e for e in b.counters.get("efficiency", []) if e > 0]
    num, den = stretch(bench), stretch(floor)
    if not num or not den:
        return None
    return stats.ratio(num, den, bench.metric.kind, "lower")


def floor_ratio(run, bench):
    """The benchmark's metric over its floor's, oriented so that 1 is the
    floor and larger is further from it; None without a measured floor."""
    floor = run.benches.get(bench.floor) if bench.floor else None
    if floor is None or floor.failed or bench.failed or not floor.values:
        return None
    m, fm = bench.metric, floor.metric
    if m.kind == "sleep":
        return _stretch_ratio(bench, floor)
    if m.better != fm.better:
        return None
    if m.better == "lower":
        return stats.ratio(bench.values, floor.values, m.kind, m.better)
    return stats.ratio(floor.values, bench.values, m.kind, m.better)


def derive(run):
    out = {"schema": 1, "confidence": stats.CONFIDENCE,
           "unstable_width": stats.UNSTABLE_WIDTH,
           "estimators": {k: stats.estimator_name(k) for k in stats.QUANTILE_BY_KIND},
           "benchmarks": {}}
    for name, b in run.benches.items():
        entry = {"metric": b.metric._asdict(), "estimator": stats.estimator_name(b.metric.kind),
                 "failed": b.failed, "errors": b.errors[:3]}
        if not b.failed and b.values:
            entry["estimate"] = _interval(stats.estimate(b.values, b.metric.kind,
                                                         b.metric.better, b.rounds))
            s = speedup(run, b)
            if s is not None:
                entry["speedup"] = dict(_interval(s), over=run.serial_baseline(b).name)
            f = floor_ratio(run, b)
            if f is not None:
                entry["floor_ratio"] = dict(_interval(f), floor=b.floor)
        out["benchmarks"][name] = entry
    out["task_fits"] = task_fits(run)
    return out


def task_fits(run):
    """[{workload, series, variant, modes, params, tasks, fixed, per_task}]
    of every map series fitted over its task counts (fits.workload_fits)."""
    out = []
    for workload, benches in sorted(run.workloads().items()):
        for sf in fits.workload_fits(benches):
            variant, modes, params = sf.key
            out.append({"workload": workload, "series": sf.label, "variant": variant,
                        "modes": list(modes), "params": dict(params),
                        "tasks": list(sf.fit.tasks), "unit": "s",
                        "fixed": _interval(sf.fit.fixed),
                        "per_task": _interval(sf.fit.per_task)})
    return out


def write(run, path):
    cli.write_json(path, derive(run))


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--in", dest="inp", required=True, help="concbench.json")
    p.add_argument("--out", required=True, help="estimates.json to write")
    args = p.parse_args()
    cli.require("numpy")
    write(results.load_run(args.inp), args.out)
    return 0
