"""Fixed cost + per-task slope of one variant run at several task counts of
the same map: time(tasks) = fixed + slope * tasks, with bootstrap intervals.

Each task count contributes the estimate of its kind (stats.quantile_for,
from the good end of the repetitions); the line through those points is the
fit (scipy.stats.linregress). The bootstrap resamples the repetitions of
every task count, refits, and takes the 95% percentile interval of the
slope and of the fixed cost.
"""

import math
from typing import NamedTuple

from concbench import cli, grouping, names, stats

RESAMPLES = 1000
SEED = 20261124


class Fit(NamedTuple):
    fixed: stats.Estimate      # seconds
    per_task: stats.Estimate   # seconds per task
    tasks: tuple               # the task counts fitted


class SeriesFit(NamedTuple):
    """The fit of one series: the work of its tasks (parameters but tasks
    and the split), its series key (variant, modes, parameters but tasks),
    its label and the Fit."""
    work: tuple
    key: tuple
    label: str
    fit: Fit


def _point(values, kind, better):
    return stats.good_quantile(values, stats.quantile_for(kind), better)


def fit(benches):
    """The fit of benches that differ only in `tasks` (at least two counts),
    or None. Every bench must have a time metric (unit s) and no failure."""
    points = {}
    for b in benches:
        tasks = names.num(b.params.get("tasks"))
        if b.failed or not b.values or tasks is None or b.metric.unit != "s":
            return None
        points[tasks] = b
    if len(points) < 2:
        return None
    np = cli.require("numpy")
    scipy_stats = cli.require("scipy.stats")
    xs = np.array(sorted(points))
    kind, better = benches[0].metric.kind, benches[0].metric.better
    ys = np.array([_point(points[x].values, kind, better) for x in xs])
    line = scipy_stats.linregress(xs, ys)
    rng = np.random.default_rng(SEED)
    q = stats.quantile_for(kind)
    q = q if better == "lower" else 1 - q
    boot = []
    for x in xs:
        v = np.asarray(points[x].values, dtype=float)
        sample = v[rng.integers(0, len(v), size=(RESAMPLES, len(v)))]
        boot.append(np.quantile(sample, q, axis=1))
    boot = np.array(boot)                      # counts x resamples
    xm = xs.mean()
    slopes = ((xs - xm)[:, None] * (boot - boot.mean(axis=0))).sum(axis=0) / ((xs - xm) ** 2).sum()
    fixed = boot.mean(axis=0) - slopes * xm
    n = min(len(points[x].values) for x in xs)

    def estimate(value, samples):
        lo, hi = np.quantile(samples, [0.025, 0.975])
        return stats.Estimate(float(value), float(min(lo, value)), float(max(hi, value)), n)
    return Fit(estimate(line.intercept, fixed), estimate(line.slope, slopes),
               tuple(float(x) for x in xs))


def work_of(bench):
    """The work of a task: the problem size without the task count."""
    return tuple((k, v) for k, v in grouping.shape(bench) if k != "tasks")


def workload_fits(benches):
    """[SeriesFit] of every series of CPU-bound map benchmarks (metric kind
    cpu, a time) run at two task counts or more, work by work in numeric
    order: what the reports print per variant and worker count."""
    rows = [b for b in benches if not b.failed and b.values and b.metric.kind == "cpu"
            and b.metric.unit == "s" and "tasks" in b.params]
    works = grouping.group_by(rows, work_of)
    out = []
    for work in sorted(works, key=grouping.params_key):
        drop = {k for k, _ in work} | {"tasks"}
        for key, f in task_fits(works[work]).items():
            out.append(SeriesFit(work, key, grouping.series_label(key, drop), f))
    return out


def task_fits(benches):
    """{series key: Fit} for every series (variant, modes, parameters but
    tasks) run at two task counts or more."""
    groups = grouping.group_by(benches, lambda b: grouping.series_key(b, ("tasks",)))
    out = {}
    for key, members in groups.items():
        if len({b.params.get("tasks") for b in members}) >= 2:
            f = fit(members)
            if f is not None and math.isfinite(f.per_task.value):
                out[key] = f
    return out
