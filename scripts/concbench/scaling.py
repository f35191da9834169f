"""Scaling laws fitted from a map's speedup at each worker count.

The speedup over serial from the same run (estimates.speedup) is the
throughput at N workers in units of the serial loop's throughput. Per series
(variant, modes and parameters but `workers`) two laws are fitted with
scipy.optimize.curve_fit:

- Amdahl:  S(N) = lambda N / (1 + sigma (N - 1))
- USL:     S(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))

lambda is the speedup of one worker (the variant's overhead against the
plain loop); sigma the contention (the serial fraction of Amdahl's law: the
part of the work that waits in line); kappa the coherency delay (the cost of
the workers keeping each other's data consistent, which grows with the pairs
of workers and makes the USL curve turn down after its peak at
N* = sqrt((1 - sigma) / kappa)). Amdahl's law is the USL with kappa = 0.

Only points with at most as many workers as the run's logical cores
(context `logical_cores`, else `num_cpus`) are fitted: past the cores the
workers share them, which is time-slicing and not the contention and
coherency the laws describe. A series is fitted only with at least
MIN_COUNTS worker counts up to the cores (the USL has three parameters:
four points leave one degree of freedom); otherwise its Fit carries a
reason ("needs at least 4 worker counts up to the 2 cores, has 2 (1, 2)")
and no parameters. Each point is weighted by its own
95% interval when every point has one. The intervals of the parameters are
95% intervals from curve_fit's covariance (Student t with n - p degrees of
freedom, residual variance scaled), not a bootstrap: with n = 4 they are
wide, as they should be. The USL's peak and its predictions get theirs from
the same covariance by the delta method (the gradient of the derived value
through the covariance: var = g' C g); where curve_fit gives no finite
covariance they are printed as a model prediction without an interval.
"""

import math
import warnings
from typing import NamedTuple, Optional

from concbench import cli, facts, figures, grouping, names, stats, units

MIN_COUNTS = 4
PREDICT_TO = 64       # workers the charts extrapolate to
INTERVAL = ("95% from curve_fit's covariance (Student t, n - p degrees of freedom); "
            "points weighted by their own intervals when every point has one; the peak and "
            "the predictions from the same covariance by the delta method")


class Law(NamedTuple):
    """One fitted law: its parameters as stats.Estimate (value and 95%
    interval), by name ("lambda", "sigma", "kappa"), in curve_fit's order;
    `cov` is curve_fit's covariance of them and `t` the Student t quantile
    of their intervals (None and inf when the fit gave none)."""
    name: str
    params: dict
    cov: Optional[tuple] = None
    t: float = math.inf

    def predict(self, n):
        """The law's speedup at n workers."""
        p = {k: e.value for k, e in self.params.items()}
        return usl(n, p["lambda"], p["sigma"], p.get("kappa", 0.0))

    def peak(self):
        """Workers at which the USL peaks (None without coherency delay)."""
        k = self.params.get("kappa")
        s = self.params["sigma"].value
        if k is None or k.value <= 0 or s >= 1:
            return None
        return math.sqrt((1 - s) / k.value)

    def _delta(self, value, grad, low=0.0):
        """An Estimate of a derived value from its gradient over the
        parameters (in their order): value +- t sqrt(g' C g), not below
        `low`; no interval without a finite covariance."""
        n = next(iter(self.params.values())).n
        if self.cov is None or not math.isfinite(self.t):
            return stats.Estimate(value, math.nan, math.nan, n)
        var = sum(gi * self.cov[i][j] * gj for i, gi in enumerate(grad)
                  for j, gj in enumerate(grad))
        if -1e-12 * max(1.0, value * value) < var < 0:
            var = 0.0  # rounding below an exact fit's zero
        if not math.isfinite(var) or var < 0:
            return stats.Estimate(value, math.nan, math.nan, n)
        half = self.t * math.sqrt(var)
        return stats.Estimate(value, max(value - half, low), value + half, n)

    def predict_estimate(self, n):
        """The speedup at n workers with its delta-method interval."""
        p = {k: e.value for k, e in self.params.items()}
        lam, sigma, kappa = p["lambda"], p["sigma"], p.get("kappa", 0.0)
        d = 1 + sigma * (n - 1) + kappa * n * (n - 1)
        grad = [n / d, -lam * n * (n - 1) / d ** 2]
        if "kappa" in p:
            grad.append(-lam * n * n * (n - 1) / d ** 2)
        return self._delta(self.predict(n), grad)

    def peak_estimate(self):
        """The USL's peak N* = sqrt((1 - sigma) / kappa) with the interval
        its parameters' intervals map to (N* falls as sigma or kappa
        grows): [N*(sigma.hi, kappa.hi), N*(sigma.lo, kappa.lo)], so it
        never disagrees with kappa's own (a linear delta-method interval
        did: N* is far from linear in kappa), unbounded above when kappa's
        interval reaches 0 (the data do not rule out a curve that never
        turns down); None without a peak."""
        peak = self.peak()
        if peak is None:
            return None
        kappa, sigma = self.params["kappa"], self.params["sigma"]
        if not (figures.has_interval(kappa) and figures.has_interval(sigma)):
            return stats.Estimate(peak, math.nan, math.nan, kappa.n)
        lo = math.sqrt(max(1 - sigma.hi, 0.0) / kappa.hi)
        hi = math.inf if kappa.lo <= 0 else math.sqrt(max(1 - sigma.lo, 0.0) / kappa.lo)
        return stats.Estimate(peak, min(lo, peak), max(hi, peak), kappa.n)


class Fit(NamedTuple):
    """The laws of one series: `workers` and `speedups` are the fitted
    points (none past `max_workers`, the run's cores, when known; `beyond`
    the worker counts left out for that); `amdahl` and `usl` are None when
    `reason` says why not."""
    key: tuple
    label: str
    workers: tuple
    speedups: tuple
    amdahl: Optional[Law]
    usl: Optional[Law]
    reason: str
    max_workers: Optional[float] = None
    beyond: tuple = ()


def cores(run):
    """The run's logical cores (context `logical_cores`, else Google
    Benchmark's `num_cpus`), or None when it does not say."""
    c = run.context or {}
    n = names.num(c.get("logical_cores")) or names.num(c.get("num_cpus"))
    if not n or n <= 0:
        return None
    return int(n) if n == int(n) else n


def usl(n, lam, sigma, kappa):
    """lambda N / (1 + sigma (N - 1) + kappa N (N - 1)) (numpy-friendly)."""
    return lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def amdahl(n, lam, sigma):
    return usl(n, lam, sigma, 0.0)


def _sigmas(ests):
    """Per-point standard deviations from the 95% intervals, or None."""
    if not all(figures.has_interval(e) and e.hi > e.lo for e in ests):
        return None
    z = 1.959963984540054
    return [(e.hi - e.lo) / (2 * z) for e in ests]


def fit_law(name, workers, speedups, sigmas=None):
    """Fits `name` ("amdahl" or "usl") to the points; a Law, or None when
    curve_fit fails."""
    np = cli.require("numpy")
    optimize = cli.require("scipy.optimize")
    scipy_stats = cli.require("scipy.stats")
    xs = np.asarray(workers, dtype=float)
    ys = np.asarray(speedups, dtype=float)
    lam0 = max(float(ys[np.argmin(xs)] / xs.min()), 1e-9)
    if name == "amdahl":
        f, p0, names_, lo, hi = amdahl, [lam0, 0.1], ("lambda", "sigma"), [0, 0], [np.inf, 1]
    else:
        f, p0 = usl, [lam0, 0.1, 0.001]
        names_, lo, hi = ("lambda", "sigma", "kappa"), [0, 0, 0], [np.inf, 1, np.inf]
    try:
        with warnings.catch_warnings():  # an exact fit has no covariance: said by inf below
            warnings.simplefilter("ignore", optimize.OptimizeWarning)
            popt, pcov = optimize.curve_fit(f, xs, ys, p0=p0, sigma=sigmas, bounds=(lo, hi),
                                            maxfev=20000)
    except (RuntimeError, ValueError):
        return None
    dof = len(xs) - len(popt)
    t = float(scipy_stats.t.ppf(0.5 + stats.CONFIDENCE / 2, dof)) if dof > 0 else math.inf
    params = {}
    for i, (pname, value) in enumerate(zip(names_, popt)):
        var = pcov[i][i]
        half = t * math.sqrt(var) if math.isfinite(var) and var >= 0 else math.inf
        low = max(value - half, lo[i])
        high = min(value + half, hi[i])
        params[pname] = stats.Estimate(float(value), float(low), float(high), len(xs))
    finite = bool(np.all(np.isfinite(pcov)))
    return Law(name, params, tuple(map(tuple, pcov.tolist())) if finite else None, t)


def fit_points(key, label, workers, ests, max_workers=None):
    """The Fit of one series from its speedup estimates at `workers`, only
    those at most `max_workers` (the run's cores; None: all)."""
    pts = sorted((w, e) for w, e in zip(workers, ests) if w and figures.usable(e))
    beyond = tuple(sorted({w for w, _ in pts if max_workers and w > max_workers}))
    pts = [(w, e) for w, e in pts if not max_workers or w <= max_workers]
    ws = tuple(w for w, _ in pts)
    ys = tuple(e.value for _, e in pts)
    if len(set(ws)) < MIN_COUNTS:
        counts = ", ".join(f"{w:g}" for w in sorted(set(ws))) or "none"
        upto = f" up to the {max_workers:g} cores" if max_workers else ""
        return Fit(key, label, ws, ys, None, None,
                   f"needs at least {MIN_COUNTS} worker counts{upto}, has {len(set(ws))} "
                   f"({counts})", max_workers, beyond)
    sig = _sigmas([e for _, e in pts])
    a = fit_law("amdahl", ws, ys, sig)
    u = fit_law("usl", ws, ys, sig)
    reason = "" if a is not None and u is not None else "curve_fit did not converge"
    return Fit(key, label, ws, ys, a, u, reason, max_workers, beyond)


def series_fits(run, benches):
    """[Fit] for every series of a CPU-bound map (variant, modes and
    parameters but workers) that runs at a worker count and has a serial
    baseline, from its points up to the run's cores; failed benchmarks are
    left out of their series. Sleeping
    tasks are left out: they scale by overlapping waits, not by sharing
    cores, which is what the laws describe."""
    rows = [b for b in benches if b.variant != "serial" and b.metric.kind == "cpu"
            and facts.workers(b) and figures.baseline(run, b) is not None]
    out, most = [], cores(run)
    for key, bs in grouping.group_by(rows, lambda b: grouping.series_key(b, names.WORKER_PARAMS)).items():
        ok = [b for b in bs if not b.failed]
        out.append(fit_points(key, grouping.series_label(key), [facts.workers(b) for b in ok],
                              [figures.speedup(run, b) for b in ok], most))
    return out


def _finite(x):
    """x, or None when it is not finite (strict JSON has no inf or nan)."""
    return x if x is not None and math.isfinite(x) else None


def _law_json(law):
    if law is None:
        return None
    out = {k: _estimate_json(e) for k, e in law.params.items()}
    if law.name == "usl":
        peak = law.peak_estimate()
        out["peak_workers"] = None if peak is None else _estimate_json(peak)
    out["predicted"] = {str(n): _estimate_json(law.predict_estimate(n))
                        for n in (8, 16, 32, PREDICT_TO)}
    return out


def _estimate_json(e):
    """{value, lo, hi}; null for an end that is unbounded or unknown."""
    return {"value": _finite(e.value), "lo": _finite(e.lo), "hi": _finite(e.hi)}


def derive(run):
    """scaling.json's content: every series of every map workload."""
    series = []
    for workload, benches in sorted(run.workloads().items()):
        if not any(b.variant == "serial" for b in benches):
            continue
        for f in series_fits(run, benches):
            series.append({"workload": workload, "series": f.label, "workers": list(f.workers),
                           "speedups": list(f.speedups),
                           "workers_beyond_cores": list(f.beyond), "fitted": not f.reason,
                           "reason": f.reason or None, "amdahl": _law_json(f.amdahl),
                           "usl": _law_json(f.usl)})
    return {"schema": 2, "metric": "speedup over serial from the same run (throughput in "
                                   "units of the serial loop's)",
            "min_worker_counts": MIN_COUNTS, "max_workers_fitted": cores(run),
            "fitted_points": "worker counts up to the run's logical cores (max_workers_fitted; "
                             "all when the run does not say)",
            "intervals": INTERVAL, "series": series}


def write(run, path):
    cli.write_json(path, derive(run))


NO_COVARIANCE = "model prediction, no interval: curve_fit gave no covariance"


def param_text(e, digits=3):
    """'0.05 [0.03, 0.07]' ('no upper bound' for an unbounded end), or the
    value labelled as a model figure when there is no interval."""
    if not figures.has_interval(e) and not (figures.usable(e) and e.hi == math.inf):
        return f"{e.value:.{digits}g} ({NO_COVARIANCE})"
    hi = "no upper bound" if e.hi == math.inf else f"{e.hi:.{digits}g}"
    return f"{e.value:.{digits}g} [{e.lo:.{digits}g}, {hi}]"


def fit_text(f):
    """One line on a fitted series: sigma and kappa with intervals, the
    USL's peak and its prediction at PREDICT_TO workers with theirs."""
    a, u = f.amdahl, f.usl
    peak = u.peak_estimate()
    peak_text = (f", peak at {param_text(peak)} workers" if peak is not None
                 else ", no peak (kappa 0)")
    predicted = u.predict_estimate(PREDICT_TO)
    predicted_text = (f"{units.fmt_ratio(predicted)} serial" if figures.has_interval(predicted)
                      else f"{units.fmt_ratio(predicted)} serial ({NO_COVARIANCE})")
    upto = f" up to the {f.max_workers:g} cores" if f.beyond else ""
    return (f"scaling of {f.label} (workers {', '.join(f'{w:g}' for w in f.workers)}{upto}): "
            f"Amdahl sigma {param_text(a.params['sigma'])}; "
            f"USL sigma {param_text(u.params['sigma'])}, "
            f"kappa {param_text(u.params['kappa'])}{peak_text}; predicted by the USL "
            f"{predicted_text} at {PREDICT_TO} workers")


def answer_lines(run, benches):
    """A line per fitted series; the unfitted ones in one line with why."""
    fits_ = series_fits(run, benches)
    if not fits_:
        return []
    lines = [fit_text(f) for f in fits_ if not f.reason]
    unfitted = [f for f in fits_ if f.reason]
    if unfitted:
        reasons = sorted({f.reason for f in unfitted})
        which = "every series" if len(unfitted) == len(fits_) else \
            f"{len(unfitted)} of {len(fits_)} series"
        most = cores(run)
        if most is not None and most < MIN_COUNTS:
            hint = f"run on a machine with at least {MIN_COUNTS} cores"
        elif most is not None:
            hint = f"pass at least {MIN_COUNTS} counts up to the {most:g} cores with --workers"
        else:
            hint = f"pass at least {MIN_COUNTS} worker counts with --workers"
        lines.append(f"scaling laws (Amdahl, USL) not fitted for {which}: " + "; ".join(reasons)
                     + f" ({hint})")
    return lines
