"""Estimates with intervals, chosen for this kind of machine.

On the reference VM each vCPU runs in a fast or a slow state about 1.8x
apart, for milliseconds to minutes (see the README's "Estimators" section for
the evidence). A short repetition lands in one state, so the repetitions of a
benchmark form two clusters and their median jumps between them from run to
run, while a low quantile (the good end of the distribution) stays put. Each
metric kind therefore has its estimator: a quantile taken from the good end
(the low end where lower is better, the high end where higher is better).

Intervals come from a bootstrap over repetitions. When the repetitions come
from several rounds (the gate runs each side several times), the bootstrap
is hierarchical: rounds are resampled first, then repetitions within them, so
that a round that ran in a slow spell counts as one piece of evidence, not as
many independent ones. A ratio's interval is the percentiles of the ratio of
replicates; a figure's is the figure times the percentiles of the ratio of
two independent replicates (_repeat_interval: a percentile interval of a
best repetition never reaches below it).
"""

import math
from typing import NamedTuple

from concbench import cli

CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 20261123  # fixed: the same data always gives the same interval
# An interval wider than this fraction of its estimate (hi/lo - 1) is
# flagged unstable, in the manner of pyperf's and nanobench's warnings.
UNSTABLE_WIDTH = 0.10

# The quantile, from the good end, that estimates each kind of metric.
# 0 is the best repetition, 0.5 the median. Chosen from real A/A gate runs on
# the reference machine (scripts/gate_check.py --quantiles; README "The
# regression gate", "Estimators"): over 30 gate runs the best repetition
# made the most benchmarks judgeable at 10% in every kind but latency (where
# its median MDE, 59%, is far below the median's 168%); the best 10% had a
# slightly lower median MDE for CPU-bound maps and bank's rate but judged
# fewer of them.
QUANTILE_BY_KIND = {
    "cpu": 0.0,
    "latency": 0.0,
    "throughput": 0.0,
    "rate": 0.0,
    "sleep": 0.0,
}
DEFAULT_QUANTILE = 0.0


def quantile_for(kind):
    return QUANTILE_BY_KIND.get(kind, DEFAULT_QUANTILE)


def estimator_name(kind):
    """How reports name the estimator of a kind: 'median', 'best', 'best 10%'."""
    q = quantile_for(kind)
    if q == 0.5:
        return "median"
    if q == 0:
        return "best"
    return f"best {q * 100:g}%"


class Estimate(NamedTuple):
    """A figure with its CONFIDENCE interval: for a ratio a bootstrap
    confidence interval, for a figure a repeat interval (where a repeat of
    the run would land, _repeat_interval)."""
    value: float
    lo: float
    hi: float
    n: int

    @property
    def width(self):
        """Relative width of the interval: hi / lo - 1 (inf when unknown)."""
        if not (self.lo > 0 and math.isfinite(self.hi)):
            return math.inf
        return self.hi / self.lo - 1

    @property
    def unstable(self):
        return self.width > UNSTABLE_WIDTH

    def separated_from(self, other):
        """True when the two intervals do not overlap."""
        return self.lo > other.hi or other.lo > self.hi


NAN_ESTIMATE = Estimate(math.nan, math.nan, math.nan, 0)


def _np():
    return cli.require("numpy")


def good_quantile(values, q, better):
    """The q-quantile from the good end of `values` (lower or higher better)."""
    np = _np()
    v = np.asarray(values, dtype=float)
    return float(np.quantile(v, q if better == "lower" else 1 - q))


def _groups(values, rounds):
    """Samples split by round (one group when rounds are not given)."""
    np = _np()
    values = np.asarray(values, dtype=float)
    if rounds is None:
        return [values]
    rounds = np.asarray(rounds)
    return [values[rounds == r] for r in sorted(set(rounds.tolist()))]


def _resample(groups, round_picks, rng):
    """One bootstrap sample per row of round_picks: the picked rounds' samples,
    each resampled within its round. Returns a 2-D array (resamples x n);
    rounds of unequal size are padded with NaN (nanquantile skips them)."""
    np = _np()
    width = max(len(g) for g in groups)
    padded = np.full((len(groups), width), np.nan)
    sizes = np.array([len(g) for g in groups])
    for i, g in enumerate(groups):
        padded[i, :len(g)] = g
    b, k = round_picks.shape
    picked_sizes = sizes[round_picks]                       # b x k
    u = rng.random((b, k, width))
    within = np.floor(u * picked_sizes[:, :, None]).astype(int)
    within = np.minimum(within, width - 1)
    out = padded[round_picks[:, :, None], within]           # b x k x width
    # positions beyond a round's own size are not samples
    mask = np.arange(width)[None, None, :] >= picked_sizes[:, :, None]
    out[mask] = np.nan
    return out.reshape(b, k * width)


def _row_quantiles(sample, q):
    """np.quantile(row, q) (linear interpolation) of every row, skipping NaN
    padding; np.nanquantile does the same row by row, a hundred times slower."""
    np = _np()
    s = np.sort(sample, axis=1)  # NaN sorts last
    valid = np.sum(~np.isnan(s), axis=1)
    pos = q * (valid - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, valid - 1)
    rows = np.arange(s.shape[0])
    return s[rows, lo] + (s[rows, hi] - s[rows, lo]) * (pos - lo)


def _boot_quantiles(groups, q, better, round_picks, rng):
    sample = _resample(groups, round_picks, rng)
    return _row_quantiles(sample, q if better == "lower" else 1 - q)


def _round_picks(n_rounds, rng):
    np = _np()
    if n_rounds == 1:
        return np.zeros((RESAMPLES, 1), dtype=int)
    return rng.integers(0, n_rounds, size=(RESAMPLES, n_rounds))


def _interval(boot, value, n):
    np = _np()
    alpha = 1 - CONFIDENCE
    lo, hi = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2])
    return Estimate(value, float(min(lo, value)), float(max(hi, value)), n)


def _repeat_interval(groups, q, better, value, n):
    """Where the q-quantile `value` of `groups` would land if the run were
    repeated: value x the quantiles of T1 / T2, two independent bootstrap
    replicates, when every sample is positive (else value + T1 - T2, its
    lower end kept at 0 for samples that cannot be negative). A repeat is
    as likely to land below as above, and the ratio keeps a time positive.
    A percentile interval of the best repetition cannot reach below the
    smallest repetition, so it held a repeat's figure only half the time
    (51% of 2833 A/A pairs on the reference machine; README "Intervals")."""
    np = _np()
    rng = np.random.default_rng(SEED)
    first = _boot_quantiles(groups, q, better, _round_picks(len(groups), rng), rng)
    second = _boot_quantiles(groups, q, better, _round_picks(len(groups), rng), rng)
    lowest = min(float(np.min(g)) for g in groups)
    if lowest > 0:
        return _interval(value * (first / second), value, n)
    e = _interval(value + (first - second), value, n)
    return e._replace(lo=max(e.lo, 0.0)) if lowest >= 0 else e


def _quantile_estimate(values, q, better, rounds):
    """The q-quantile from the good end with its repeat interval (none for a
    single value)."""
    if len(values) == 0:
        return NAN_ESTIMATE
    value = good_quantile(values, q, better)
    if len(values) < 2:
        return Estimate(value, math.nan, math.nan, len(values))
    return _repeat_interval(_groups(values, rounds), q, better, value, len(values))


def estimate(values, kind, better, rounds=None):
    """The kind's estimator of `values` with its interval: where the figure
    would land if the run were repeated (_repeat_interval)."""
    return _quantile_estimate(values, quantile_for(kind), better, rounds)


def ratio(num, den, kind, better, num_rounds=None, den_rounds=None, paired=False):
    """estimate(num) / estimate(den) with a bootstrap interval.

    With paired=True the two sides share their rounds (round r of one side
    ran next to round r of the other, as in the gate), and rounds are
    resampled jointly, so that a slow spell that hit both sides cancels."""
    if len(num) == 0 or len(den) == 0:
        return NAN_ESTIMATE
    np = _np()
    q = quantile_for(kind)
    value = good_quantile(num, q, better) / good_quantile(den, q, better)
    if len(num) < 2 or len(den) < 2:
        return Estimate(value, math.nan, math.nan, min(len(num), len(den)))
    rng = np.random.default_rng(SEED)
    g_num, g_den = _groups(num, num_rounds), _groups(den, den_rounds)
    if paired and len(g_num) == len(g_den):
        picks = _round_picks(len(g_num), rng)
        picks_num = picks_den = picks
    else:
        picks_num = _round_picks(len(g_num), rng)
        picks_den = _round_picks(len(g_den), rng)
    boot = (_boot_quantiles(g_num, q, better, picks_num, rng)
            / _boot_quantiles(g_den, q, better, picks_den, rng))
    return _interval(boot, value, min(len(num), len(den)))


def ranked(estimates, better):
    """Splits {label: Estimate} into the winners and the rest: the best
    estimate and every one whose interval overlaps it ("tie"). Returns
    (winners, others) as lists of labels, best first."""
    ok = {k: e for k, e in estimates.items() if math.isfinite(e.value)}
    if not ok:
        return [], []
    order = sorted(ok, key=lambda k: ok[k].value, reverse=(better == "higher"))
    best = ok[order[0]]
    winners = [k for k in order if k == order[0] or not ok[k].separated_from(best)]
    return winners, [k for k in order if k not in winners]


def median(values, rounds=None):
    """The median of `values` with its interval, built as estimate() builds
    its own (where the median would land if the run were repeated): how
    reports describe a counter, which has no good end."""
    if len(values) > 1 and min(values) == max(values):  # every resample is the value
        return Estimate(float(values[0]), float(values[0]), float(values[0]), len(values))
    return _quantile_estimate(values, 0.5, "lower", rounds)
