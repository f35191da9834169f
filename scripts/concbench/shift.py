"""The gate's two-sample comparison: is one side worse than the other by
more than a margin, and by how much?

The gate runs base and new in R rounds; in each round each side is one run
of the binary (an invocation) with k repetitions of the benchmark, the two
runs back to back. Two kinds of noise are in such data on this machine:
- within an invocation, repetitions land in the vCPU's fast or slow state;
  the kind's estimator (stats.py: the good end of the repetitions) sees
  through that when any repetition met the fast state;
- between invocations, a process starts with its own memory layout and CPU
  placement, which can move a benchmark by tens of percent for the whole
  run (a one-worker pool with tiny tasks: 16 us in one run, 21 us in the
  next, each run's repetitions within 5%). Repetitions of one invocation are
  therefore not independent evidence, and a test that treats them so cries
  wolf.
So the unit of evidence is the round: d_r = log(estimate of a's invocation)
- log(estimate of b's invocation), and the test is a paired t-test of
H0 "mean d <= log(1 + margin)" over the rounds (t with R - 1 degrees of
freedom). Under H0 the two runs of a round are exchangeable (the gate
alternates which goes first), so d_r is symmetric about the true shift, and
the t-test is conservative for the heavy tails a state mismatch gives.

Without shared rounds (a stored baseline against new rounds) the baseline is
one invocation: d = mean(new invocations) - baseline, and its spread is the
new side's spread between invocations times sqrt(1 + 1/R). Two stored runs
of one invocation each (compare.py on two files) leave only the repetitions
as evidence: a Welch t-test on their logarithms, which cannot see the
variation between runs; the gate marks such rows (`within_run`).
"""

import math
from typing import NamedTuple

from concbench import cli, stats

MIN_ROUNDS = 3


class ShiftTest(NamedTuple):
    ratio: float       # the typical ratio a / b: exp(mean d)
    lo: float          # its confidence interval (stats.CONFIDENCE)
    hi: float
    p_above: float     # one-sided p of "a above b by more than the margin"
    p_below: float     # one-sided p of "a below b by more than the margin"
    t: float           # the t statistic of "above by more than the margin"
    df: float
    detectable: float  # the smallest ratio found with probability `power`
    within_run: bool   # only repetitions of one run per side were compared
    stored_baseline: bool  # one side was a single stored run (its spread is the other's)


NAN_TEST = ShiftTest(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, 0,
                     math.inf, False, False)


def round_estimates(values, rounds, kind, better):
    """{round: log of the kind's estimate of that round's repetitions}."""
    by_round = {}
    for v, r in zip(values, rounds):
        by_round.setdefault(r, []).append(v)
    q = stats.quantile_for(kind)
    return {r: math.log(stats.good_quantile(vs, q, better)) for r, vs in by_round.items()
            if all(x > 0 for x in vs)}


def _mean_sd(xs):
    n = len(xs)
    mean = sum(xs) / n
    return mean, math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))


def _evidence(a, b, a_rounds, b_rounds, kind, better):
    """(mean log shift, its standard error, degrees of freedom, within_run,
    stored_baseline), or None when there is too little to test."""
    ra = round_estimates(a, a_rounds, kind, better)
    rb = round_estimates(b, b_rounds, kind, better)
    if set(ra) == set(rb) and len(ra) >= MIN_ROUNDS:  # paired rounds
        d = [ra[r] - rb[r] for r in sorted(ra)]
        mean, sd = _mean_sd(d)
        return mean, sd / math.sqrt(len(d)), len(d) - 1, False, False
    if len(rb) == 1 and len(ra) >= MIN_ROUNDS:  # against a stored baseline
        mean, sd = _mean_sd(list(ra.values()))
        return (mean - next(iter(rb.values())), sd * math.sqrt(1 + 1 / len(ra)), len(ra) - 1,
                False, True)
    if len(ra) == 1 and len(rb) >= MIN_ROUNDS:
        mean, sd = _mean_sd(list(rb.values()))
        return (next(iter(ra.values())) - mean, sd * math.sqrt(1 + 1 / len(rb)), len(rb) - 1,
                False, True)
    if len(ra) == 1 and len(rb) == 1 and min(len(a), len(b)) >= MIN_ROUNDS:
        la = [math.log(x) for x in a if x > 0]
        lb = [math.log(x) for x in b if x > 0]
        (ma, sa), (mb, sb) = _mean_sd(la), _mean_sd(lb)
        va, vb = sa * sa / len(la), sb * sb / len(lb)
        se = math.sqrt(va + vb)
        df = ((va + vb) ** 2 / (va * va / (len(la) - 1) + vb * vb / (len(lb) - 1))
              if va + vb > 0 else len(la) + len(lb) - 2)
        return ma - mb, se, df, True, False
    return None


def shift_test(a, b, a_rounds, b_rounds, kind, better, margin=0.0, family=1,
               alpha=0.05, power=0.90):
    """Compares a with b (values and their rounds) as the module docstring
    says. `detectable` is the ratio this test would find with probability
    `power` at the level alpha / family (Holm's strictest step), given the
    spread of this benchmark's own per-round differences."""
    t_dist = cli.require("scipy.stats").t
    evidence = _evidence(a, b, a_rounds, b_rounds, kind, better)
    if evidence is None:
        return NAN_TEST
    mean, se, df, within_run, stored_baseline = evidence
    m = math.log1p(margin)

    def upper(x):  # P(T >= x / se) for the centred statistic x
        if se == 0:
            return 0.0 if x > 0 else 1.0
        return float(t_dist.sf(x / se, df))
    p_above = upper(mean - m)
    p_below = upper(-mean - m)
    half = t_dist.ppf(1 - (1 - stats.CONFIDENCE) / 2, df) * se
    need = t_dist.ppf(1 - alpha / max(family, 1), df) + t_dist.ppf(power, df)
    if se > 0:
        t_stat = (mean - m) / se
    else:
        t_stat = 0.0 if mean == m else math.copysign(math.inf, mean - m)
    return ShiftTest(math.exp(mean), math.exp(mean - half), math.exp(mean + half),
                     p_above, p_below, t_stat, df, (1 + margin) * math.exp(need * se),
                     within_run, stored_baseline)
