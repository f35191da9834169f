"""The regression decision and the comparison table, shared by compare.py
and regress.py (and tested on synthetic repetitions in tests/test_gate.py)."""

import math
import statistics

from concbench import cli, results


def u_test_greater(x, y):
    """One-sided Mann-Whitney U p-value for 'x tends to be larger than y'."""
    stats = cli.require("scipy.stats")
    if len(x) < 2 or len(y) < 2:
        return math.nan
    if len(set(x) | set(y)) == 1:
        return 1.0
    return float(stats.mannwhitneyu(x, y, alternative="greater").pvalue)


def min_attainable_p(n, m):
    """Smallest one-sided p an exact U test can give with n and m samples."""
    return 1.0 / math.comb(n + m, n)


def decide(base, new, threshold=0.05, alpha=0.05):
    """The gate's rule for one benchmark, from the repetition times of both runs.

    'slower' needs both: the new median at least (1 + threshold) times the base
    median, and a one-sided Mann-Whitney U test rejecting 'not slower' at alpha.
    'faster' is the mirror image. The U test guards against noise, the effect
    size against tiny but significant changes (e.g. drift between runs).
    Returns (verdict, ratio of medians, one-sided p in the ratio's direction).
    """
    ratio = statistics.median(new) / statistics.median(base)
    if ratio >= 1:
        p = u_test_greater(new, base)
    else:
        p = u_test_greater(base, new)
    if math.isnan(p):
        return "too few reps", ratio, p
    if ratio >= 1 + threshold and p < alpha:
        return "slower", ratio, p
    if ratio <= 1 / (1 + threshold) and p < alpha:
        return "faster", ratio, p
    return "same", ratio, p


def geomean(values):
    values = [v for v in values if v > 0 and math.isfinite(v)]
    if not values:
        return math.nan
    return math.exp(statistics.fmean(math.log(v) for v in values))


def compare_runs(a, b, threshold=0.05, alpha=0.05):
    """Per common benchmark: the gate's verdict; plus the names only in a or b."""
    common, only_a, only_b = results.common_benchmarks(a, b)
    rows = []
    for name in common:
        x, y = a.benches[name].times_ns, b.benches[name].times_ns
        verdict, ratio, p = decide(x, y, threshold, alpha)
        if len(x) < 2 or len(y) < 2 or min_attainable_p(len(x), len(y)) >= alpha:
            verdict = "too few reps"
        rows.append({"name": name, "base_ns": statistics.median(x),
                     "new_ns": statistics.median(y), "change": ratio - 1, "p": p,
                     "verdict": verdict, "n": (len(x), len(y))})
    return rows, only_a, only_b


def format_table(headers, rows):
    """Plain aligned text: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    def line(r):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths)))
    return [line(headers), "-" * len(line(headers))] + [line(r) for r in rows]


def fmt_change(change):
    return "-" if change is None or not math.isfinite(change) else f"{change * 100:+.1f}%"


def fmt_p(p):
    return "-" if p is None or not math.isfinite(p) else f"{p:.4f}"


def missing_lines(only_a, only_b, a_label, b_label):
    out = []
    for names, where, other in ((only_a, a_label, b_label), (only_b, b_label, a_label)):
        if names:
            out.append(f"only in {where} (missing or failed in {other}), not compared: "
                       + ", ".join(names))
    return out
