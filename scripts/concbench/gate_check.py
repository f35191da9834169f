"""Calibrates the regression gate on this machine's real noise.

Usage: gate_check.py [--runs N] [--slowdown-runs M] [--binary PATH]
                     [--slow REGEX] [--slow-factors 1.10,1.05]
                     [--binary-new PATH] [--suite quick] [--filter REGEX]
                     [--rounds R] [--chunk C] [--repetitions K] --dir DIR
                     [--analyze-only] [--quantiles 0,0.05,0.1,0.25,0.5]
                     [--threshold T] [--alpha A] [--sensitivity S]

Collects N real A/A runs of the gate (the same binary, or two builds of one
tree, on both sides, interleaved exactly as regress.py runs them) and M runs
in which the new side stretches one CPU-bound benchmark (drawn from those
matching --slow) by 10% or 5% in turn through the binary's --test_slowdown; every run's raw repetitions are
kept in DIR. Then it reports, for the default estimators and for each
alternative quantile given:
- the A/A false-alarm rate: runs with any 'slower' / runs, and per benchmark;
- detection of a 10% and a 5% slowdown: the injected runs, and every A/A run
  with each benchmark's new side scaled by the factor (what --test_slowdown
  does to a time), counted where the benchmark's MDE is at most 10%;
- the MDE per benchmark and the share that is too noisy to judge;
- how often the intervals hold what they claim (A/A runs, default
  estimators): a benchmark's figure interval on the base side holds the new
  side's figure, its paired ratio interval holds 1;
- the issue's acceptance lines: A/A runs with nothing flagged, and injected
  10% slowdowns caught where the MDE was at most 10%.
Writes DIR/report.md and DIR/report.json; --analyze-only redoes the analysis.
"""

import glob
import itertools
import json
import math
import os
import random
import re
import statistics
import sys
import time

from concbench import cli, gate, interleave, like, regress, results, stats

SLOWDOWNS = (1.10, 1.05)


def save(run, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results.to_json(run), f)


def collect(args):
    base_bin = args.binary
    new_bin = args.binary_new or args.binary
    common = regress.suite_args(args)
    names = like.chosen(regress.list_benchmarks(new_bin, common), args.filter)
    if not names:
        raise cli.CbError("no benchmark matches --filter")
    cpu = like.chosen(names, args.slow)
    if args.slowdown_runs and not cpu:
        raise cli.CbError("no benchmark matches --slow")
    rng = random.Random(args.seed)
    aa = [("aa", i, {}) for i in range(args.runs)]
    # One benchmark per run (the binary takes one --test_slowdown), the
    # factors taken in turn.
    slow = [("slow", i, {rng.choice(cpu): args.slow_factors[i % len(args.slow_factors)]})
            for i in range(args.slowdown_runs)]
    # Alternated, so that a calibration stopped early holds both kinds.
    plan = [run for pair in itertools.zip_longest(aa, slow) for run in pair if run]
    os.makedirs(args.dir, exist_ok=True)
    started = time.monotonic()
    for n, (kind, i, slowed) in enumerate(plan, 1):
        stem = os.path.join(args.dir, f"{kind}_{i:02d}")
        if os.path.exists(stem + "_meta.json"):
            continue  # resumable: an interrupted calibration keeps its runs
        new_args = list(common) + [f"--test_slowdown=^{re.escape(name)}$:{factor}"
                                   for name, factor in slowed.items()]
        what = ", ".join(f"{k} x{v}" for k, v in slowed.items())
        print(f"concbench: gate run {n}/{len(plan)} ({kind} {i}{', slowed: ' + what if what else ''})"
              f"; {time.monotonic() - started:.0f} s so far", file=sys.stderr)
        runs = interleave.run_interleaved([("base", base_bin, common), ("new", new_bin, new_args)],
                                          names, args.rounds, args.chunk, args.dir, args.quiet)
        save(runs["base"], stem + "_base.json")
        save(runs["new"], stem + "_new.json")
        with open(stem + "_meta.json", "w", encoding="utf-8") as f:
            json.dump({"kind": kind, "slowed": slowed, "rounds": args.rounds,
                       "chunk": args.chunk, "args": common}, f)
    for leftover in glob.glob(os.path.join(args.dir, "base_*.json")) + glob.glob(
            os.path.join(args.dir, "new_*.json")):
        os.unlink(leftover)
    print(f"concbench: collected {len(plan)} gate runs in {time.monotonic() - started:.0f} s",
          file=sys.stderr)


def load_pair(stem):
    base = results.load_run(stem + "_base.json")
    new = results.load_run(stem + "_new.json")
    with open(stem + "_meta.json", encoding="utf-8") as f:
        meta = json.load(f)
    return base, new, meta


def scaled(bench, factor):
    """A copy of bench whose metric is worse by `factor`."""
    b = results.Bench(bench.name)
    b.metric, b.rounds, b.errors = bench.metric, list(bench.rounds), list(bench.errors)
    f = factor if bench.metric.better == "lower" else 1 / factor
    b.values = [v * f for v in bench.values]
    return b


def interval_coverage(base, new, slowed):
    """[hits, cases] of the figure and the paired ratio intervals in an A/A
    run: base's figure interval holds new's figure; new/base holds 1."""
    figure, ratio = [0, 0], [0, 0]
    for name, b in base.benches.items():
        n = new.benches.get(name)
        if name in slowed or n is None or b.failed or n.failed or min(
                len(b.values), len(n.values)) < 2:
            continue
        kind, better = b.metric.kind, b.metric.better
        e = stats.estimate(b.values, kind, better, b.rounds)
        other = stats.good_quantile(n.values, stats.quantile_for(kind), better)
        figure[0] += e.lo <= other <= e.hi
        figure[1] += 1
        r = stats.ratio(n.values, b.values, kind, better, n.rounds, b.rounds, paired=True)
        ratio[0] += r.lo <= 1 <= r.hi
        ratio[1] += 1
    return {"figure": figure, "ratio": ratio}


def analyze_pair(base, new, slowed, args, coverage=False):
    """Verdicts of one gate run, plus synthetic detection per benchmark (and
    with coverage=True the intervals' coverage, for A/A runs)."""
    rows, _, _ = gate.compare_runs(base, new, args.threshold, args.alpha, args.sensitivity)
    by_name = {r["name"]: r for r in rows}
    family = sum(1 for r in rows if r["p_slower"] is not None)
    out = {"false": [r["name"] for r in rows
                     if r["verdict"] == gate.SLOWER and r["name"] not in slowed],
           "injected": {n: {"factor": f, "verdict": by_name[n]["verdict"],
                            "mde": by_name[n]["mde"]}
                        for n, f in slowed.items() if n in by_name},
           "mde": {r["name"]: r["mde"] for r in rows if r["mde"] is not None},
           "kinds": {r["name"]: r["metric"]["kind"] for r in rows},
           "noisy": [r["name"] for r in rows if r["verdict"] == gate.NOISY],
           "synthetic": {},
           "coverage": interval_coverage(base, new, slowed) if coverage else None}
    for r in rows:
        if r["name"] in slowed or r["mde"] is None or r["mde"] > 0.10:
            continue
        caught = {}
        for factor in SLOWDOWNS:
            row = gate.judge(base.benches[r["name"]], scaled(new.benches[r["name"]], factor),
                             args.threshold, family, args.alpha)
            # Holm's first step: the slowed benchmark has the smallest p.
            caught[str(factor)] = row["p_slower"] * family < args.alpha
        out["synthetic"][r["name"]] = caught
    return out


def summarize(per_run, label):
    aa = [r for r in per_run if r["kind"] == "aa"]
    runs_flagged = sum(1 for r in per_run if r["false"])
    coverage = {"figure": [0, 0], "ratio": [0, 0]}
    for r in per_run:
        for key, (hits, cases) in (r["coverage"] or {}).items():
            coverage[key][0] += hits
            coverage[key][1] += cases
    by_slowed = {}
    for r in per_run:
        for n, i in r["injected"].items():
            row = by_slowed.setdefault(f"{n} x{i['factor']:g}", [0, 0, 0])
            row[0] += i["verdict"] == gate.SLOWER
            row[1] += i["mde"] is not None and i["mde"] <= 0.10
            row[2] += 1
    false_by_bench = {}
    for r in per_run:
        for n in r["false"]:
            false_by_bench[n] = false_by_bench.get(n, 0) + 1
    detect = {}
    for factor in SLOWDOWNS:
        key = str(factor)
        hits = [c[key] for r in per_run for c in r["synthetic"].values()]
        injected = [i for r in per_run for i in r["injected"].values() if i["factor"] == factor]
        real = [i["verdict"] == gate.SLOWER for i in injected
                if i["mde"] is not None and i["mde"] <= 0.10]
        # injected_all: every injected run, judgeable or not (the rest were "too noisy").
        detect[key] = {"synthetic": [sum(hits), len(hits)], "injected": [sum(real), len(real)],
                       "injected_all": [sum(i["verdict"] == gate.SLOWER for i in injected),
                                        len(injected)]}
    mdes, kinds = {}, {}
    for r in per_run:
        for n, m in r["mde"].items():
            mdes.setdefault(n, []).append(m)
        kinds.update(r["kinds"])
    median_mde = {n: statistics.median(v) for n, v in mdes.items()}
    by_kind = {}
    for n, m in median_mde.items():
        by_kind.setdefault(kinds.get(n, "?"), []).append(m)
    noisy = statistics.fmean(len(r["noisy"]) / max(len(r["mde"]), 1) for r in per_run)
    return {"estimator": label, "runs": len(per_run), "aa_runs": len(aa),
            "runs_with_false_slower": runs_flagged,
            "aa_runs_with_false_slower": sum(1 for r in aa if r["false"]),
            "false_by_benchmark": false_by_bench, "interval_coverage": coverage,
            "injected_by_benchmark": by_slowed,
            "detection": detect, "share_too_noisy": noisy,
            "injected": [dict(i, name=n) for r in per_run for n, i in r["injected"].items()], "median_mde": median_mde,
            "median_mde_by_kind": {k: statistics.median(v) for k, v in sorted(by_kind.items())}}


def analyze(args):
    stems = sorted(p[:-len("_meta.json")] for p in glob.glob(os.path.join(args.dir, "*_meta.json")))
    if not stems:
        raise cli.CbError(f"{args.dir} holds no gate runs (run without --analyze-only first)")
    pairs = [load_pair(s) for s in stems]
    configs = [("default", None)] + [(f"quantile {q:g}", q) for q in args.quantiles]
    saved = dict(stats.QUANTILE_BY_KIND)
    reports = []
    try:
        for label, q in configs:
            if q is not None:
                for kind in saved:
                    stats.QUANTILE_BY_KIND[kind] = q
            per_run = []
            for (base, new, meta) in pairs:
                r = analyze_pair(base, new, meta.get("slowed", {}), args,
                                 coverage=q is None and meta["kind"] == "aa")
                r["kind"] = meta["kind"]
                per_run.append(r)
            reports.append(summarize(per_run, label))
            stats.QUANTILE_BY_KIND.clear()
            stats.QUANTILE_BY_KIND.update(saved)
    finally:
        stats.QUANTILE_BY_KIND.clear()
        stats.QUANTILE_BY_KIND.update(saved)
    return reports


def markdown(reports, args):
    lines = ["# Gate calibration", "",
             f"{reports[0]['runs']} gate runs ({reports[0]['aa_runs']} A/A, the rest with "
             "injected slowdowns) from " + os.path.abspath(args.dir) + f"; threshold "
             f"{args.threshold:g}, alpha {args.alpha:g}, sensitivity {args.sensitivity:g}.", "",
             "| estimator | runs with a false 'slower' | 10% caught (synthetic) | "
             "10% caught (injected) | 5% caught (synthetic) | 5% caught (injected) | "
             "too noisy |", "|---|---|---|---|---|---|---|"]

    def frac(pair):
        return f"{pair[0]}/{pair[1]}" + (f" ({pair[0] / pair[1]:.0%})" if pair[1] else "")
    for r in reports:
        d = r["detection"]
        lines.append(f"| {r['estimator']} | {r['runs_with_false_slower']}/{r['runs']} | "
                     f"{frac(d['1.1']['synthetic'])} | {frac(d['1.1']['injected'])} | "
                     f"{frac(d['1.05']['synthetic'])} | {frac(d['1.05']['injected'])} | "
                     f"{r['share_too_noisy']:.0%} |")
    default = reports[0]
    d = default["detection"]["1.1"]["injected"]
    lines += ["", "Acceptance (default estimators):", "",
              f"- A/A runs with nothing flagged: {default['aa_runs'] - default['aa_runs_with_false_slower']}"
              f" of {default['aa_runs']} (asked: at least 19 of 20); runs of any kind with a "
              f"false 'slower': {default['runs_with_false_slower']} of {default['runs']};",
              f"- injected 10% slowdowns caught where the run's MDE was at most 10%: {frac(d)} "
              "(asked: at least 9 of 10).", ""]
    cov = default["interval_coverage"]
    if cov["figure"][1]:
        lines += [f"Interval coverage on the A/A runs (95% intervals): a benchmark's figure "
                  f"interval on the base side held the new side's figure in "
                  f"{frac(cov['figure'])}; its paired new/base ratio interval held 1 in "
                  f"{frac(cov['ratio'])}.", ""]
    lines += ["Injected slowdowns by benchmark: caught / judgeable (MDE at most 10%) / runs:",
              "", "| benchmark | caught | judgeable | runs |", "|---|---|---|---|"]
    lines += [f"| {n} | {c} | {j} | {t} |"
              for n, (c, j, t) in sorted(default["injected_by_benchmark"].items())]
    lines += ["", "Injected slowdowns (default estimators; 'caught (injected)' counts those "
              "whose MDE in that run was at most 10%):", "",
              "| benchmark | factor | verdict | MDE |", "|---|---|---|---|"]
    lines += [f"| {i['name']} | {i['factor']:g} | {i['verdict']} | "
              + (f"{i['mde'] * 100:.1f}% |" if i["mde"] is not None else "- |")
              for i in reports[0]["injected"]]
    kinds = sorted({k for r in reports for k in r["median_mde_by_kind"]})
    lines += ["", "Median MDE by metric kind (the median over the kind's benchmarks of each "
              "benchmark's median MDE; lower is better):", "",
              "| estimator | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
    for r in reports:
        cells = [f"{r['median_mde_by_kind'][k] * 100:.1f}%" if k in r["median_mde_by_kind"]
                 and math.isfinite(r["median_mde_by_kind"][k]) else "-" for k in kinds]
        lines.append(f"| {r['estimator']} | " + " | ".join(cells) + " |")
    if default["false_by_benchmark"]:
        lines += ["", "False 'slower' by benchmark (default estimators):", ""]
        lines += [f"- {n}: {c}" for n, c in sorted(default["false_by_benchmark"].items())]
    lines += ["", "Median MDE by benchmark (default estimators):", "",
              "| benchmark | median MDE |", "|---|---|"]
    lines += [f"| {n} | {m * 100:.1f}% |" if math.isfinite(m) else f"| {n} | - |"
              for n, m in sorted(default["median_mde"].items())]
    return "\n".join(lines) + "\n"


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, help="where the runs and the report go")
    p.add_argument("--runs", type=int, default=20, help="A/A gate runs (default 20)")
    p.add_argument("--slowdown-runs", type=int, default=10,
                   help="gate runs with injected slowdowns (default 10)")
    p.add_argument("--binary", default=regress.BINARY, help="the binary for both sides")
    p.add_argument("--binary-new", help="a second build for the new side (real A/A)")
    p.add_argument("--suite", choices=("quick", "smoke", "full"), default="quick")
    p.add_argument("--filter", help="only the benchmarks matching this regex")
    p.add_argument("--repetitions", type=int, default=regress.REPETITIONS,
                   help="passed to the binaries (default: as regress.py)")
    p.add_argument("--args", default="", help="extra arguments for both binaries")
    p.add_argument("--rounds", type=int, default=regress.ROUNDS, help="as regress.py")
    p.add_argument("--chunk", type=int, default=regress.CHUNK)
    p.add_argument("--seed", type=int, default=1, help="picks the slowed benchmarks")
    p.add_argument("--slow", default="^sum_squares",
                   help="regex: the CPU-bound benchmarks the injected runs slow, one a run "
                        "(default: every sum_squares benchmark)")
    p.add_argument("--slow-factors", default="1.10,1.05",
                   help="the injected factors, taken in turn (default 1.10,1.05)")
    p.add_argument("--analyze-only", action="store_true")
    p.add_argument("--quantiles", default="",
                   help="alternative estimators to compare, e.g. 0,0.05,0.25")
    p.add_argument("--threshold", type=float, default=gate.DEFAULT_THRESHOLD)
    p.add_argument("--alpha", type=float, default=gate.DEFAULT_ALPHA)
    p.add_argument("--sensitivity", type=float, default=gate.DEFAULT_SENSITIVITY)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    try:
        args.quantiles = [float(x) for x in args.quantiles.split(",") if x.strip()]
    except ValueError:
        p.error("--quantiles takes numbers from 0 to 0.5, e.g. 0,0.1")
    if any(not 0 <= q <= 0.5 for q in args.quantiles):
        p.error("--quantiles takes numbers from 0 to 0.5")
    try:
        args.slow_factors = [float(x) for x in args.slow_factors.split(",") if x.strip()]
    except ValueError:
        p.error("--slow-factors takes factors above 1, e.g. 1.10,1.05")
    if not args.slow_factors or any(f not in SLOWDOWNS for f in args.slow_factors):
        p.error("--slow-factors takes the factors the report counts: 1.10, 1.05 or both")
    for option, pattern in (("--slow", args.slow), ("--filter", args.filter)):
        try:
            re.compile(pattern or "")
        except re.error as e:
            p.error(f"{option}: not a regular expression: {e}")
    cli.require("numpy")
    if not args.analyze_only:
        collect(args)
    reports = analyze(args)
    text = markdown(reports, args)
    with open(os.path.join(args.dir, "report.json"), "w", encoding="utf-8") as f:
        json.dump(reports, f, indent=1)
    with open(os.path.join(args.dir, "report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    default = reports[0]
    return 1 if default["runs_with_false_slower"] > max(1, default["runs"] // 20) else 0
