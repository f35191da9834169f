"""The regression gate's decision, benchmark by benchmark and for the suite.

For each benchmark the gate compares the primary metric's estimate (stats.py)
of the new run with the base run's, as a "worse ratio" r: new / base where
lower is better, base / new where higher is better, so r > 1 is always worse.
The bootstrap gives the standard error se of log r (rounds resampled jointly
when the two sides ran interleaved round by round).

The test: H0 "r <= 1 + threshold" (nothing worse than the practical margin)
against "r > 1 + threshold", z = (log r - log(1 + threshold)) / se, one-sided
normal p-value. Holm's step-down procedure over every judged benchmark keeps
the chance of any false "slower" in the whole suite at alpha. The p-value the
table prints is that test's, Holm-adjusted: the one that decided.

Each benchmark's minimum detectable effect (MDE) is the slowdown this test
would catch with probability POWER at the strictest Holm level, from its own
se. A benchmark that is not found slower is "same" only when its MDE is at
most the sensitivity asked for; otherwise it is "too noisy to judge at N%".
"""

import math
from statistics import NormalDist

from concbench import results, stats

POWER = 0.95
DEFAULT_THRESHOLD = 0.03
DEFAULT_ALPHA = 0.05
DEFAULT_SENSITIVITY = 0.10

SLOWER, FASTER, SAME, NOISY, FAILED, BASE_FAILED, FEW = (
    "slower", "faster", "same", "too noisy", "failed", "failed in base", "too few reps")
MIN_REPS = 3  # per side: below this the bootstrap says nothing


def _upper_p(z):
    return 1 - NormalDist().cdf(z) if math.isfinite(z) else math.nan


def worse_ratio(base, new):
    """(Estimate of r, se of log r) for two benches (r > 1: new is worse)."""
    m = new.metric
    paired = len(set(base.rounds)) == len(set(new.rounds)) > 1
    if m.better == "lower":
        return stats.ratio_with_log_se(new.values, base.values, m.kind, m.better,
                                       new.rounds, base.rounds, paired)
    return stats.ratio_with_log_se(base.values, new.values, m.kind, m.better,
                                   base.rounds, new.rounds, paired)


def judge(base, new, threshold=DEFAULT_THRESHOLD):
    """One benchmark's row before the suite-wide correction."""
    row = {"name": new.name, "metric": new.metric._asdict(),
           "estimator": stats.estimator_name(new.metric.kind),
           "n": [len(base.values), len(new.values)],
           "base": None, "new": None, "ratio": None, "ratio_lo": None, "ratio_hi": None,
           "se": None, "p_slower": None, "p_faster": None, "p": None, "mde": None,
           "verdict": None}
    if new.failed:
        row["verdict"] = FAILED
        row["error"] = f"failed in the new run: {new.errors[0]}"
        return row
    if base.failed:
        row["verdict"] = BASE_FAILED
        row["error"] = f"failed in the base run: {base.errors[0]}"
        return row
    m = new.metric
    row["base"] = stats.estimate(base.values, m.kind, m.better, base.rounds).value
    row["new"] = stats.estimate(new.values, m.kind, m.better, new.rounds).value
    if min(len(base.values), len(new.values)) < MIN_REPS:
        row["verdict"] = FEW
        return row
    r, se = worse_ratio(base, new)
    row.update(ratio=r.value, ratio_lo=r.lo, ratio_hi=r.hi, se=se)
    if not (se > 0 and r.value > 0):
        # Identical samples on both sides: no evidence of any change.
        se = max(se, 1e-9) if math.isfinite(se) else 1e-9
        row["se"] = se
    margin = math.log1p(threshold)
    row["p_slower"] = _upper_p((math.log(r.value) - margin) / se)
    row["p_faster"] = _upper_p((-math.log(r.value) - margin) / se)
    return row


def mde(se, threshold, alpha, family):
    """The slowdown caught with probability POWER at Holm's strictest level."""
    z = NormalDist().inv_cdf(1 - alpha / max(family, 1)) + NormalDist().inv_cdf(POWER)
    return (1 + threshold) * math.exp(z * se) - 1


def holm(pvalues):
    """Holm-adjusted p-values (same order as given)."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted = [1.0] * len(pvalues)
    running = 0.0
    m = len(pvalues)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def decide(rows, threshold=DEFAULT_THRESHOLD, alpha=DEFAULT_ALPHA,
           sensitivity=DEFAULT_SENSITIVITY):
    """Fills in every row's verdict, Holm-adjusted p and MDE; returns rows."""
    judged = [r for r in rows if r["verdict"] is None]
    family = len(judged)
    slower_p = holm([r["p_slower"] for r in judged])
    faster_p = holm([r["p_faster"] for r in judged])
    for row, ps, pf in zip(judged, slower_p, faster_p):
        row["mde"] = mde(row["se"], threshold, alpha, family)
        if ps < alpha:
            row["verdict"], row["p"] = SLOWER, ps
        elif pf < alpha:
            row["verdict"], row["p"] = FASTER, pf
        else:
            row["p"] = ps
            row["verdict"] = SAME if row["mde"] <= sensitivity else NOISY
    return rows


def compare_runs(base, new, threshold=DEFAULT_THRESHOLD, alpha=DEFAULT_ALPHA,
                 sensitivity=DEFAULT_SENSITIVITY):
    """Verdicts for every benchmark in both runs; plus the names only in one."""
    common, only_base, only_new = results.common_benchmarks(base, new)
    rows = [judge(base.benches[n], new.benches[n], threshold) for n in common]
    # A benchmark that failed in the new run is a failure, whether or not the
    # base run has it.
    for name in [n for n in only_new if new.benches[n].failed]:
        only_new.remove(name)
        rows.append(judge(results.Bench(name), new.benches[name], threshold))
    return decide(rows, threshold, alpha, sensitivity), only_base, only_new


def geomean(values):
    values = [v for v in values if v and v > 0 and math.isfinite(v)]
    if not values:
        return math.nan
    return math.exp(sum(math.log(v) for v in values) / len(values))


def format_table(headers, rows):
    """Plain aligned text: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]

    def line(r):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths)))
    return [line(headers), "-" * len(line(headers))] + [line(r) for r in rows]


def fmt_change(ratio):
    """A worse-ratio as a signed percentage: +12.0% is worse."""
    return "-" if ratio is None or not math.isfinite(ratio) else f"{(ratio - 1) * 100:+.1f}%"


def fmt_p(p):
    if p is None or not math.isfinite(p):
        return "-"
    if p < 1e-15:
        return "<1e-15"
    return f"{p:.2g}" if p < 0.001 else f"{p:.3f}"


def missing_lines(only_a, only_b, a_label, b_label, limit=10):
    """The names in one run only, one per line, at most `limit` each."""
    out = []
    for names, where, other in ((only_a, a_label, b_label), (only_b, b_label, a_label)):
        if not names:
            continue
        out.append(f"{len(names)} only in {where} (not in {other}), not compared:")
        out += [f"  {n}" for n in names[:limit]]
        if len(names) > limit:
            out.append(f"  ... and {len(names) - limit} more")
    return out
