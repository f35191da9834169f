"""The figures a report shows, each an stats.Estimate (value and 95%
interval): a benchmark's primary metric, a counter, its speedup over serial,
its ratio to its floor, its per-task cost. Computed once per benchmark.

Every function returns None when the figure does not exist for the benchmark
(no baseline, no counter, a failed benchmark): a failed benchmark never
yields a figure.
"""

import math

from concbench import estimates, names, stats

# Counters whose larger value is the better one.
HIGHER_IS_BETTER = ("ops_per_second", "items_per_second", "bytes_per_second", "efficiency")


def _cache(bench):
    return bench.__dict__.setdefault("_figures", {})


def _cached(bench, key, compute):
    cache = _cache(bench)
    if key not in cache:
        cache[key] = None if bench.failed else compute()
    return cache[key]


def usable(estimate):
    return estimate is not None and math.isfinite(estimate.value)


def has_interval(estimate):
    return usable(estimate) and math.isfinite(estimate.lo) and math.isfinite(estimate.hi)


def unstable(estimate):
    """Wider than stats.UNSTABLE_WIDTH; a single repetition is not flagged
    (it has no interval at all, which reports say separately)."""
    return has_interval(estimate) and estimate.unstable


def primary(bench):
    """The primary metric's estimate (the estimator of its kind)."""
    m = bench.metric

    def compute():
        if not bench.values:
            return None
        return stats.estimate(bench.values, m.kind, m.better, bench.rounds or None)
    return _cached(bench, "primary", compute)


def counter(bench, key, better=None):
    """A counter's estimate, with the benchmark's estimator; `better` defaults
    to higher for rates and efficiency, lower otherwise."""
    if better is None:
        better = "higher" if key in HIGHER_IS_BETTER else "lower"

    def compute():
        values = bench.counters.get(key)
        if not values:
            return None
        return stats.estimate(values, bench.metric.kind, better)
    return _cached(bench, ("counter", key, better), compute)


def counter_median(bench, key):
    """A counter's median over the repetitions with its interval
    (stats.median), as the tables describe counters; None without it."""
    def compute():
        values = bench.counters.get(key)
        if not values:
            return None
        rounds = bench.rounds if bench.rounds and len(bench.rounds) == len(values) else None
        return stats.median(values, rounds)
    return _cached(bench, ("median", key), compute)


def _invert(e, scale=1.0):
    """scale / e with the interval flipped."""
    if not usable(e) or e.value <= 0:
        return None
    lo = scale / e.hi if e.hi > 0 else math.nan
    hi = scale / e.lo if e.lo > 0 else math.nan
    return stats.Estimate(scale / e.value, lo, hi, e.n)


def rate(bench):
    """Operations per second of all workers together: the ops_per_second
    counter, else 1e9 / a ns_per_op primary metric."""
    e = counter(bench, "ops_per_second", "higher")
    if usable(e):
        return e
    if bench.metric.name == "ns_per_op":
        return _invert(primary(bench), 1e9)
    return None


def bytes_per_second(bench):
    """Payload bytes per second: the primary metric when it is one, else the
    bytes_per_second counter (files written before schema 2)."""
    if bench.metric.unit == "B/s":
        return primary(bench)
    return counter(bench, "bytes_per_second", "higher")


def efficiency(bench):
    """Ideal makespan over measured makespan (1.0 is ideal)."""
    e = counter(bench, "efficiency", "higher")
    if usable(e):
        return e
    ideal, real = bench.counters.get("ideal_makespan"), bench.counters.get("makespan")
    if not (ideal and real) or bench.failed:
        return None

    def compute():
        ratios = [i / r for i, r in zip(ideal, real) if r > 0]
        return stats.estimate(ratios, bench.metric.kind, "higher") if ratios else None
    return _cached(bench, "efficiency-derived", compute)


def baseline(run, bench):
    """The serial benchmark of the same problem (results.Run.serial_baseline:
    same workload and parameters once those that only say how the work is
    split are left out, so asio_async's style:callbacks meets serial and an
    impl:cpython row meets only a CPython serial), or None."""
    if bench.variant == "serial":
        return None
    return run.serial_baseline(bench)


def speedup(run, bench):
    """serial / variant (higher is faster) with its interval, or None
    (estimates.speedup, the derived results file's figure)."""
    if bench.failed or not bench.values:
        return None
    return _cached(bench, "speedup", lambda: estimates.speedup(run, bench))


def floor_bench(run, bench):
    """The benchmark this one names as its floor, when the run has it."""
    return run.benches.get(bench.floor) if bench.floor else None


def floor_ratio(run, bench):
    """How many times the floor's cost this benchmark costs (1 is the floor;
    estimates.floor_ratio), or None."""
    return _cached(bench, "floor", lambda: estimates.floor_ratio(run, bench))


def cost_ratio(values, base_values, metric):
    """What `values` cost as a multiple of `base_values` (an Estimate with its
    interval): their ratio for a lower-is-better metric, the inverse of it for
    a higher-is-better one (a rate)."""
    if metric.better == "higher":
        return stats.ratio(base_values, values, metric.kind, metric.better)
    return stats.ratio(values, base_values, metric.kind, metric.better)


def per_task(bench):
    """Wall time per task in seconds (primary time metric / tasks)."""
    tasks = names.num(bench.params.get("tasks"))
    e = primary(bench)
    if not tasks or not usable(e) or bench.metric.unit != "s":
        return None
    return stats.Estimate(e.value / tasks, e.lo / tasks, e.hi / tasks, e.n)


def cv(values):
    """Coefficient of variation (nan with fewer than two values)."""
    if len(values) < 2:
        return math.nan
    mean = sum(values) / len(values)
    if mean == 0:
        return math.nan
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return math.sqrt(var) / abs(mean)
