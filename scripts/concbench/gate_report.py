"""The gate's verdicts for CI: a Markdown summary (for $GITHUB_STEP_SUMMARY and
a pull-request comment) and JUnit XML (so the gate shows in the CI's test
tab). Both render the rows gate.compare_runs returns; nothing is decided
here.

JUnit mapping: one testcase per benchmark (classname = workload); "slower"
is a failure, a benchmark that failed is an error, "too noisy" and "too few
repetitions" are skipped with the reason; "same" and "faster" pass.
"""

import xml.etree.ElementTree as ET

from concbench import cli, gate, units

# Verdicts in the order the Markdown lists them, with the word it shows.
SHOWN = ((gate.FAILED, "failed"), (gate.BASE_FAILED, "failed in base"),
         (gate.SLOWER, "slower"), (gate.FEW, "too few repetitions"),
         (gate.NOISY, "too noisy to judge"), (gate.FASTER, "faster"))
MISSING_LISTED = 10


def _change(row):
    text = gate.fmt_change(row["ratio"])
    if row.get("ratio_lo") is not None and row.get("ratio_hi") is not None:
        text += f" [{gate.fmt_change(row['ratio_lo'])}, {gate.fmt_change(row['ratio_hi'])}]"
    return text


def _value(row, side):
    return units.fmt_value(row[side], row["metric"]["unit"]) if row[side] is not None else "-"


def headline(rows):
    """'FAIL: 1 slower, 1 failed (of 40 benchmarks)' or 'PASS: ...'."""
    counts = {v: sum(1 for r in rows if r["verdict"] == v) for v, _ in SHOWN}
    bad = counts[gate.SLOWER] + counts[gate.FAILED]
    parts = [f"{counts[v]} {word}" for v, word in SHOWN if counts[v]]
    state = "FAIL" if bad else ("INCOMPLETE" if counts[gate.FEW] else "PASS")
    return f"{state}: {', '.join(parts) or 'nothing changed'} (of {len(rows)} benchmarks)"


def markdown(rows, only_base, only_new, args, warnings=(), contexts=("", "")):
    """The gate's result as Markdown: headline, the rule, the benchmarks that
    are not 'same' in a table, every row in a collapsed table, missing names."""
    out = [f"## concbench regression gate: {headline(rows)}", ""]
    if contexts[0] or contexts[1]:
        out += [f"- base: {contexts[0]}", f"- new: {contexts[1]}", ""]
    out += [f"Slower means worse by more than {args.threshold * 100:g}% at a Holm-adjusted "
            f"p < {args.alpha:g} over the suite; 'same' only where the minimum detectable "
            f"effect (MDE) is at most {args.sensitivity * 100:g}%.", ""]
    out += [f"> {w}" for w in warnings] + ([""] if warnings else [])
    head = ["benchmark", "verdict", "base", "new", "change [95% CI]", "MDE", "p (Holm)"]

    def table(selected):
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in selected:
            verdict = r["verdict"] + (f": {r['error']}" if r.get("error") else "")
            mde = "-" if r["mde"] is None else f"{r['mde'] * 100:.1f}%"
            cells = [f"`{r['name']}`", verdict, _value(r, "base"), _value(r, "new"),
                     _change(r), mde, gate.fmt_p(r["p"])]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return lines
    order = {v: i for i, (v, _) in enumerate(SHOWN)}
    notable = sorted((r for r in rows if r["verdict"] in order), key=lambda r: order[r["verdict"]])
    if notable:
        out += table(notable) + [""]
    out += ["<details><summary>every benchmark</summary>", ""] + table(rows)
    out += ["", "</details>", ""]
    for names, where in ((only_base, "base"), (only_new, "new")):
        if names:
            out.append(f"{len(names)} only in {where}, not compared: "
                       + ", ".join(f"`{n}`" for n in names[:MISSING_LISTED])
                       + (f" and {len(names) - MISSING_LISTED} more"
                          if len(names) > MISSING_LISTED else ""))
    return "\n".join(out).rstrip() + "\n"


def junit(rows, only_base=(), only_new=()):
    """JUnit XML (one testsuite) as text."""
    suite = ET.Element("testsuite", name="concbench regression gate")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in rows:
        workload, _, rest = r["name"].partition("/")
        case = ET.SubElement(suite, "testcase", classname=f"concbench.{workload}",
                             name=rest or r["name"], time="0")
        counts["tests"] += 1
        detail = (f"{r['metric']['name']}: base {_value(r, 'base')}, new {_value(r, 'new')}, "
                  f"change {_change(r)}, p {gate.fmt_p(r['p'])}")
        if r["verdict"] == gate.SLOWER:
            ET.SubElement(case, "failure", message=f"slower: {_change(r)}",
                          type="slower").text = detail
            counts["failures"] += 1
        elif r["verdict"] in (gate.FAILED, gate.BASE_FAILED):
            ET.SubElement(case, "error", message=r.get("error") or r["verdict"],
                          type="failed").text = r.get("error") or r["verdict"]
            counts["errors"] += 1
        elif r["verdict"] in (gate.NOISY, gate.FEW):
            mde = "-" if r["mde"] is None else f"{r['mde'] * 100:.1f}%"
            ET.SubElement(case, "skipped", message=f"{r['verdict']} (MDE {mde})")
            counts["skipped"] += 1
        else:
            ET.SubElement(case, "system-out").text = f"{r['verdict']}: {detail}"
    for names, where in ((only_base, "base"), (only_new, "new")):
        for n in names:
            workload, _, rest = n.partition("/")
            case = ET.SubElement(suite, "testcase", classname=f"concbench.{workload}",
                                 name=rest or n, time="0")
            ET.SubElement(case, "skipped", message=f"only in {where}, not compared")
            counts["tests"] += 1
            counts["skipped"] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


def _write(path, text):
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise cli.CbError(f"cannot write {path}: {e.strerror or e}") from None


def write_requested(args, rows, only_base, only_new, warnings, contexts):
    """Writes args.markdown and args.junit when asked for (regress.py's hook)."""
    if getattr(args, "markdown", None):
        _write(args.markdown, markdown(rows, only_base, only_new, args, warnings, contexts))
    if getattr(args, "junit", None):
        _write(args.junit, junit(rows, only_base, only_new))
