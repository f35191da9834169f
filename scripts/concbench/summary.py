"""summary.md of a concbench run: per workload its question, the one-line
answers (answers.py) and the table (tables.py). Nothing here knows a
workload by name except the question it asks."""

from concbench import answers, stats, tables, units


def context_lines(run):
    c = run.context
    own = c.get("concbench") if isinstance(c.get("concbench"), dict) else {}
    lines = [f"Machine: {units.context_line(c)}.",
             f"Kernel {c.get('kernel', '?')}, compiler {c.get('compiler', '?')}, "
             f"build {c.get('build_type', c.get('library_build_type', '?'))}, "
             f"affinity {c.get('affinity', '?')}."]
    if own:
        load = own.get("load_avg_start")
        load_text = ", ".join(f"{x:.2f}" for x in load) if isinstance(load, list) else "?"
        lines.append(f"{own.get('repetitions', '?')} repetitions per benchmark, load average "
                     f"at the start {load_text}, start method {own.get('start_method', '?')}.")
    loaded = (["the run"] if own.get("loaded") else []) + [
        m.get("file", "a merged run") for m in own.get("merged") or []
        if isinstance(m, dict) and m.get("loaded")]
    if loaded:
        lines.append(f"**Loaded machine**: {', '.join(loaded)} started with the 1-minute load "
                     "average above the CPUs it may use; other work competed with the "
                     "benchmarks, so the figures are noisier.")
    kinds = sorted({b.metric.kind for b in run.benches.values()})
    lines.append("Estimators: " + ", ".join(f"{k}: {stats.estimator_name(k)}" for k in kinds)
                 + f"; intervals are {stats.CONFIDENCE * 100:g}%: a figure's says where a "
                 "repeat of the run would land (bootstrap, README \"Intervals\"), a ratio's is a "
                 "bootstrap confidence interval; speedup is serial over the variant, from this "
                 "run.")
    return lines


def _md_cell(text):
    return str(text).replace("|", "\\|")


def table_lines(table):
    lines = ["| " + " | ".join(table.headers) + " |", "|" + "---|" * len(table.headers)]
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(c.text) for c in row.cells) + " |")
    return lines


def render(run):
    out = ["# concbench summary", ""] + [x + "  " for x in context_lines(run)] + [""]
    failed = [b for b in run.benches.values() if b.failed]
    if failed:
        out += [f"**{len(failed)} benchmark{'s' if len(failed) > 1 else ''} FAILED** "
                "(no figure reported): " + ", ".join(b.name for b in failed[:10])
                + (f" and {len(failed) - 10} more" if len(failed) > 10 else ""), ""]
    for workload, benches in sorted(run.workloads().items()):
        out += [f"## {workload}", "", f"*{answers.question(workload)}*", ""]
        out += [f"- {line}" for line in answers.answers(run, workload, benches)] + [""]
        table = tables.workload_table(run, benches)
        if table.common:
            out += [f"All rows: {table.common}.", ""]
        out += table_lines(table) + ["", tables.note(benches), ""]
        fitted = tables.fits_table(benches)
        if fitted is not None:
            out += ["Per-task fits:", ""] + table_lines(fitted) + ["", tables.FITS_NOTE, ""]
    return "\n".join(out)


def write(run, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(run))
