"""Compares two concbench runs benchmark by benchmark.

Usage: compare.py A.json B.json [--threshold 0.05] [--alpha 0.05] [--gbench]
Prints, for every benchmark in both files, the medians, the change in
percent, the two-sided Mann-Whitney U p-value over the repetitions (computed
by Google Benchmark's own tools, gbench.report) and the gate's verdict, then
the geometric-mean change over all compared benchmarks (also gbench's).
Benchmarks present in only one file are listed, not compared.
"""

from concbench import cli, gate, results, units


def as_gbench_json(run, names):
    """The repetitions of `names` in the shape gbench.report expects, in ns
    and under the contract names, so both files line up whatever their suffixes."""
    entries = [{"name": n, "run_type": "iteration", "real_time": t, "cpu_time": t,
                "time_unit": "ns"} for n in names for t in run.benches[n].times_ns]
    return {"context": run.context, "benchmarks": entries}


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("a", help="baseline run (JSON)")
    p.add_argument("b", help="new run (JSON)")
    p.add_argument("--threshold", type=float, default=0.05,
                   help="minimum change of the median counted as slower/faster (0.05 = 5%%)")
    p.add_argument("--alpha", type=float, default=0.05, help="U test significance level")
    p.add_argument("--gbench", action="store_true",
                   help="also print Google Benchmark's own difference report")
    args = p.parse_args()
    a, b = results.load_run(args.a), results.load_run(args.b)
    rows, only_a, only_b = gate.compare_runs(a, b, args.threshold, args.alpha)
    report, _ = cli.gbench()
    names = [r["name"] for r in rows]
    diff = report.get_difference_report(as_gbench_json(a, names), as_gbench_json(b, names),
                                        utest=True)
    pvalue = {d["name"]: d["utest"].get("time_pvalue") for d in diff if d["utest"]}
    table = [[r["name"], units.fmt_time(r["base_ns"]), units.fmt_time(r["new_ns"]),
              gate.fmt_change(r["change"]), gate.fmt_p(pvalue.get(r["name"])),
              f"{r['n'][0]}/{r['n'][1]}", r["verdict"]] for r in rows]
    print(f"A: {args.a} ({units.context_line(a.context)})")
    print(f"B: {args.b} ({units.context_line(b.context)})")
    print()
    print("\n".join(gate.format_table(
        ["benchmark", "A median", "B median", "change", "U p (2-sided)", "reps",
         "verdict"], table)))
    geo = [d for d in diff if d["name"] == "OVERALL_GEOMEAN"]
    if geo:
        m = geo[0]["measurements"][0]
        print(f"\ngeometric mean over {len(rows)} benchmarks: "
              f"{units.fmt_time(m['real_time'] * 1e9)} -> {units.fmt_time(m['real_time_other'] * 1e9)} "
              f"({gate.fmt_change(m['time'])})")
    print(f"verdict: slower/faster when the median changed by at least "
          f"{args.threshold * 100:g}% and a one-sided U test gives p < {args.alpha:g}")
    for line in gate.missing_lines(only_a, only_b, "A", "B"):
        print(line)
    if args.gbench:
        print()
        print("\n".join(report.print_difference_report(diff, utest=True,
                                                        utest_alpha=args.alpha,
                                                        use_color=False)))
    return 0

