"""The regression gate's decision, benchmark by benchmark and for the suite.

For each benchmark the gate compares the new run's primary metric with the
base run's as a "worse ratio" r: new / base where lower is better, base / new
where higher is better, so r > 1 is always worse. The evidence is the rounds
of the interleaved run: in each, one run of each binary, back to back, each
summarised by the metric kind's estimator (stats.py); r is the geometric
mean of the per-round ratios (shift.py says why rounds, not repetitions, are
the unit).

The test: H0 "r <= 1 + threshold" (nothing worse than the practical margin)
against "r > 1 + threshold", a paired t-test over the rounds. Holm's
step-down procedure over every judged benchmark keeps the chance of any false
"slower" in the whole suite at alpha. The p-value the table prints is that
test's, Holm-adjusted: the one that decided.

Each benchmark's minimum detectable effect (MDE) is the slowdown the test
would catch with probability POWER at the strictest Holm level, given the
spread of the benchmark's own per-round ratios. A benchmark that is not found
slower is "same" only when its MDE is at most the sensitivity asked for;
otherwise it is "too noisy to judge at N%".
"""

import math

from concbench import cli, results, shift, stats

POWER = 0.90
DEFAULT_THRESHOLD = 0.03
DEFAULT_ALPHA = 0.05
DEFAULT_SENSITIVITY = 0.10

SLOWER, FASTER, SAME, NOISY, FAILED, BASE_FAILED, FEW = (
    "slower", "faster", "same", "too noisy", "failed", "failed in base", "too few reps")
MIN_REPS = 3  # per side


def judge(base, new, threshold=DEFAULT_THRESHOLD, family=1, alpha=DEFAULT_ALPHA):
    """One benchmark's row before the suite-wide correction. `family` (the
    number of benchmarks judged together) and `alpha` set the level at which
    the MDE is computed."""
    row = {"name": new.name, "metric": new.metric._asdict(),
           "estimator": stats.estimator_name(new.metric.kind),
           "n": [len(base.values), len(new.values)],
           "base": None, "new": None, "ratio": None, "ratio_lo": None, "ratio_hi": None,
           "t": None, "df": None, "p_slower": None, "p_faster": None, "p": None, "mde": None,
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
    row["base"] = stats.good_quantile(base.values, stats.quantile_for(m.kind), m.better) \
        if base.values else None
    row["new"] = stats.good_quantile(new.values, stats.quantile_for(m.kind), m.better) \
        if new.values else None
    if min(len(base.values), len(new.values)) < MIN_REPS:
        row["verdict"], row["too_few"] = FEW, "repetitions"
        return row
    worse, better = (new, base) if m.better == "lower" else (base, new)
    t = shift.shift_test(worse.values, better.values, worse.rounds, better.rounds, m.kind,
                         m.better, threshold, family, alpha, POWER)
    if t.df == 0:  # fewer than MIN_ROUNDS rounds, or rounds the two runs do not share
        row["verdict"], row["too_few"] = FEW, "rounds"
        return row
    row.update(ratio=t.ratio, ratio_lo=t.lo, ratio_hi=t.hi, t=t.t, df=t.df,
               mde=t.detectable - 1, p_slower=t.p_above, p_faster=t.p_below,
               within_run=t.within_run, stored_baseline=t.stored_baseline)
    return row


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


def decide(rows, alpha=DEFAULT_ALPHA, sensitivity=DEFAULT_SENSITIVITY):
    """Fills in every row's verdict and Holm-adjusted p; returns rows."""
    judged = [r for r in rows if r["verdict"] is None]
    slower_p = holm([r["p_slower"] for r in judged])
    faster_p = holm([r["p_faster"] for r in judged])
    for row, ps, pf in zip(judged, slower_p, faster_p):
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
    family = len(common)
    rows = [judge(base.benches[n], new.benches[n], threshold, family, alpha) for n in common]
    # A benchmark that failed in the new run is a failure, whether or not the
    # base run has it.
    for name in [n for n in only_new if new.benches[n].failed]:
        only_new.remove(name)
        rows.append(judge(results.Bench(name), new.benches[name], threshold))
    return decide(rows, alpha, sensitivity), only_base, only_new


def geomean(values):
    """scipy.stats.gmean of the positive, finite values (nan without any)."""
    values = [v for v in values if v and v > 0 and math.isfinite(v)]
    if not values:
        return math.nan
    return float(cli.require("scipy.stats").gmean(values))


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
