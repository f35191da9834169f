"""summary.md for a concbench run: one table per workload and a one-line
answer to the workload's question, both derived from the names and counters
in the JSON (no per-workload code, so new workloads are summarised too)."""

import math

from concbench import charts, names, units


MAX_COUNTERS = 6


def _name(bench, drop):
    return bench.label(drop=drop) or bench.variant


def answer(run, benches, drop):
    """The workload's question answered from its data, in one line."""
    parts = []
    ops = [b for b in benches if b.counter("ops_per_second")]
    if ops:
        correct = [b for b in ops if not b.counter("balance_error")]
        wrong = [b for b in ops if b.counter("balance_error")]
        if correct:
            best = max(correct, key=lambda b: b.counter("ops_per_second"))
            parts.append(f"fastest correct: {_name(best, drop)}, "
                         f"{units.fmt_num(best.counter('ops_per_second'))} ops/s")
        if wrong:
            parts.append("wrong balance: " + ", ".join(
                f"{_name(b, drop)} (off by {b.counter('balance_error'):g})" for b in wrong))
    sized = [b for b in benches if names.num(b.params.get("size"))]
    if sized:
        lat = [b for b in sized if not any("throughput" in m for m in b.modes)]
        tput = [b for b in sized if b.counter("bytes_per_second")
                and any("throughput" in m for m in b.modes)]
        if lat:
            small = min(names.num(b.params["size"]) for b in lat)
            best = min((b for b in lat if names.num(b.params["size"]) == small),
                       key=lambda b: b.median_ns)
            parts.append(f"lowest latency: {_name(best, drop)}, {units.fmt_time(best.median_ns)}")
        if tput:
            best = max(tput, key=lambda b: b.counter("bytes_per_second"))
            parts.append(f"highest throughput: {_name(best, drop)}, "
                         f"{units.fmt_num(best.counter('bytes_per_second'))}B/s")
    eff = [b for b in benches if charts.efficiencies(b) and b.variant != "serial"]
    if eff:
        best = max(eff, key=lambda b: sorted(charts.efficiencies(b))[len(charts.efficiencies(b)) // 2])
        e = charts.efficiencies(best)
        parts.append(f"closest to ideal: {_name(best, drop)}, efficiency {sorted(e)[len(e) // 2]:.2f}")
    groups = {}
    for b in benches:
        if b.variant != "serial" and run.speedups(b) and not ops:
            groups.setdefault(b.serial_key(), []).append((run.speedups(b)[0], b))
    for key, sp in groups.items():
        # with several problem sizes, answer per size and name the size first
        prefix = "/".join(f"{k}:{v}" for k, v in key[1] if k not in drop) if len(groups) > 1 else ""
        where = drop | {k for k, _ in key[1]} if prefix else drop
        top, best = max(sp, key=lambda x: x[0])
        if top >= 1:
            text = f"fastest: {_name(best, where)}, {top:.2f}x serial"
        else:
            text = f"nothing beats serial; best is {_name(best, where)} at {top:.2f}x"
        parts.append(f"{prefix}: {text}" if prefix else text)
    if not parts:
        fast = min(benches, key=lambda b: b.median_ns)
        slow = max(benches, key=lambda b: b.median_ns)
        parts.append(f"fastest: {_name(fast, drop)}, {units.fmt_time(fast.median_ns)}; "
                     f"slowest: {_name(slow, drop)}, {units.fmt_time(slow.median_ns)}")
    return "; ".join(parts) + "."


def table(run, benches, drop):
    counters = []
    for b in benches:
        counters += [k for k in b.counters if k not in counters]
    # a counter that repeats a name parameter (e.g. workers) adds nothing
    params = {k for b in benches for k in b.params}
    counters = [k for k in counters if k not in params][:MAX_COUNTERS]
    head = ["benchmark", "median", "CV", "reps", "speedup vs serial"] + counters
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b in benches:
        if not b.times_ns:
            lines.append(f"| {_name(b, drop)} | failed: {b.errors[0] if b.errors else '?'} |"
                         + " |" * (len(head) - 2))
            continue
        sp = run.speedups(b)
        cv = b.cv
        row = [_name(b, drop), units.fmt_time(b.median_ns),
               "-" if math.isnan(cv) else f"{cv * 100:.1f}%", str(len(b.times_ns)),
               f"{sp[0]:.2f}x" if sp else "-"]
        row += [units.fmt_num(b.counter(k)) if b.counter(k) is not None else "-" for k in counters]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def render(run):
    c = run.context
    out = ["# concbench summary", "",
           f"Machine: {units.context_line(c)}.",
           f"Kernel {c.get('kernel', '?')}, compiler {c.get('compiler', '?')}, "
           f"build {c.get('build_type', c.get('library_build_type', '?'))}, "
           f"affinity {c.get('affinity', '?')}.", "",
           "Median and CV are over the repetitions of wall time; speedup is the serial "
           "median over the variant's median, from this run.", ""]
    for workload, benches in run.workloads().items():
        drop = charts.common_params([b for b in benches if b.times_ns])
        same = ", ".join(f"{k}:{benches[0].params[k]}" for k in benches[0].params if k in drop)
        out += [f"## {workload}", ""]
        ok = [b for b in benches if b.times_ns]
        out += [f"**Answer:** {answer(run, ok, drop) if ok else 'every benchmark failed.'}", ""]
        if same:
            out += [f"All rows: {same}.", ""]
        out += table(run, benches, drop) + [""]
    return "\n".join(out)


def write(run, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(run))
