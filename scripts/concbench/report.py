"""report.html: one self-contained file a person opens to read a run (no
network access: the charts are inline SVG, the style and the few lines of
script that sort the tables are inline too).

Sections, in order: the answers (every workload's question and one-line
answers), failures and unstable results, the context (machine, build, run),
then one section per workload with its answers, charts and sortable table.

Usage: report.py --in JSON [--out FILE.html]   (default: report.html next to JSON)
Exit status: 0 written; 2 bad usage or input; 3 written, but the run has
failed benchmarks (shown as failed).
"""

import html
import os
import re
import sys

from concbench import answers, cli, figures, results, stats, summary, tables, units

EXIT_FAILED = 3
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1500px;
 padding:0 1.5em 3em;color:#1b1b1b;background:#fff}
h1{margin:.8em 0 .1em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
nav a{margin-right:1em}.context{color:#555}.question{font-style:italic;color:#333}
ul.answers li{margin:.2em 0}li.failed,.failed td{background:#fde7e9}
.failed td:first-child::before{content:"\\2717 ";color:#b00020;font-weight:bold}
.unstable td:nth-child(2){background:#fff6d5}.racy td:first-child{color:#666;font-style:italic}
.marks span{display:inline-block;padding:0 .5em;margin-right:.5em;border-radius:3px}
figure{margin:1em 0;overflow-x:auto}figure svg{max-width:100%;height:auto}
figcaption{font-size:12px;color:#555}.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:2px 6px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
table.sortable th{cursor:pointer;background:#f4f4f4;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
tr.group-start td{border-top:2px solid #999}.context-table td{text-align:left;white-space:normal}.note{font-size:12px;color:#555}
.ok{color:#1b5e20}.bad{color:#b00020;font-weight:bold}
"""
SCRIPT = """
"use strict";
function sortKey(cell) {
  const v = cell.dataset.sort;
  if (v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isNaN(n) ? v : n;
}
function sortTable(table, th) {
  const col = th.cellIndex, ascending = th.getAttribute("aria-sort") !== "ascending";
  for (const other of th.parentNode.cells) other.removeAttribute("aria-sort");
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0], rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = sortKey(a.cells[col]), y = sortKey(b.cells[col]);
    if (x === null || y === null) return (x === null) - (y === null);
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return ascending ? c : -c;
  });
  for (const row of rows) { row.classList.remove("group-start"); body.appendChild(row); }
}
for (const table of document.querySelectorAll("table.sortable")) {
  for (const th of table.tHead.rows[0].cells) {
    th.tabIndex = 0;
    th.addEventListener("click", () => sortTable(table, th));
    th.addEventListener("keydown", (e) => { if (e.key === "Enter") sortTable(table, th); });
  }
}
"""


def esc(text):
    return html.escape(str(text), quote=True)


def inline_svg(svg, prefix):
    """An SVG document as an element to inline in HTML: without its XML
    prolog, with every id (and reference to one) prefixed, so that the ids of
    several charts never collide in one page."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r'(\bid="|url\(#|href="#)([^"\)]+)', lambda m: m.group(1) + prefix + m.group(2),
                  svg)


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _answers_html(run, workload, benches):
    items = []
    for line in answers.answers(run, workload, benches):
        cls = ' class="failed"' if line.startswith(("FAILED", "WRONG", "every benchmark failed")) \
            else ""
        items.append(f"<li{cls}>{esc(line)}</li>")
    return f'<ul class="answers">{"".join(items)}</ul>'


def _table_html(run, benches):
    table = tables.workload_table(run, benches)
    common = f"<p>All rows: {esc(table.common)}.</p>" if table.common else ""
    html = (f'{common}{_sortable_html(table)}'
            f'<p class="note">{esc(tables.note(benches))} Click a column to sort.</p>')
    fitted = tables.fits_table(benches)
    if fitted is not None:
        html += (f"<h3>Per-task fits</h3>{_sortable_html(fitted)}"
                 f'<p class="note">{esc(tables.FITS_NOTE)}</p>')
    return html


def _sortable_html(table):
    """A tables.Table as a sortable HTML table, its rows marked."""
    head = "".join(f'<th scope="col"{" data-figure" if h == table.figure else ""}>{esc(h)}</th>'
                   for h in table.headers)
    rows, previous = [], None
    for row in table.rows:
        classes = [c for c, on in (("failed", row.failed), ("unstable", row.unstable),
                                   ("racy", row.racy)) if on]
        if row.bench.variant != previous and previous is not None:
            classes.append("group-start")
        previous = row.bench.variant
        cells = "".join(f'<td data-sort="{esc("" if c.sort is None else c.sort)}">{esc(c.text)}'
                        "</td>" for c in row.cells)
        cls = f' class="{" ".join(classes)}"' if classes else ""
        rows.append(f"<tr{cls}>{cells}</tr>")
    return (f'<div class="table-wrap"><table class="sortable"><thead><tr>{head}</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></div>')


def _context_html(run):
    c = run.context
    rows = [("machine", units.context_line(c))]
    for key in ("cpu_model", "logical_cores", "num_cpus", "mhz_per_cpu", "affinity", "kernel",
                "compiler", "build_type", "boost_version", "tbb_version", "fmt_version",
                "benchmark_version", "concbench_revision", "concbench_mode", "date",
                "host_name", "load_avg"):
        if key in c:
            rows.append((key, c[key]))
    own = c.get("concbench") if isinstance(c.get("concbench"), dict) else {}
    for key, value in own.items():
        if key != "benchmarks":
            rows.append((f"concbench.{key}", value))
    caches = c.get("caches")
    if isinstance(caches, list):
        rows.append(("caches", ", ".join(
            f"L{x.get('level')} {x.get('type')} {units.fmt_num(x.get('size'))}B"
            for x in caches if isinstance(x, dict))))
    kinds = sorted({b.metric.kind for b in run.benches.values()})
    rows.append(("estimators", ", ".join(f"{k}: {stats.estimator_name(k)}" for k in kinds)))
    rows.append(("intervals", f"{stats.CONFIDENCE * 100:g}% bootstrap; unstable when wider "
                              f"than {stats.UNSTABLE_WIDTH * 100:g}%"))
    body = "".join(f"<tr><th scope='row'>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="context-table">{body}</table>'


def _status_html(run):
    failed = [b for b in run.benches.values() if b.failed]
    shaky = [b for b in run.benches.values() if figures.unstable(figures.primary(b))]
    parts = []
    if failed:
        items = "".join(f'<li class="failed">{esc(b.name)}: {esc(b.errors[0])}</li>'
                        for b in failed)
        parts.append(f'<p class="bad">{len(failed)} failed (no figure reported):</p>'
                     f"<ul>{items}</ul>")
    else:
        parts.append('<p class="ok">No benchmark failed.</p>')
    if shaky:
        items = "".join(
            f"<li>{esc(b.name)}: interval "
            f"{figures.primary(b).width * 100:.0f}% wide</li>" for b in
            sorted(shaky, key=lambda b: -figures.primary(b).width))
        parts.append(f"<details><summary>{len(shaky)} of {len(run.benches)} results unstable "
                     f"(interval wider than {stats.UNSTABLE_WIDTH * 100:g}%)</summary>"
                     f"<ul>{items}</ul></details>")
    else:
        parts.append('<p class="ok">No unstable result.</p>')
    parts.append('<p class="marks">In the tables: <span class="failed">failed</span>'
                 '<span style="background:#fff6d5">unstable</span>'
                 '<span style="color:#666;font-style:italic">racy (no lock)</span></p>')
    return "".join(parts)


def render(run, svgs):
    """The whole page. `svgs`: {workload: [(title, svg text)]}."""
    workloads = sorted(run.workloads().items())
    nav = " ".join(f'<a href="#wl-{_slug(w)}">{esc(w)}</a>' for w, _ in workloads)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>concbench report: {esc(units.context_line(run.context))}</title>",
           f"<style>{STYLE}</style></head><body>",
           "<header><h1>concbench report</h1>",
           f'<p class="context">{esc(units.context_line(run.context))}; '
           f"from {esc(os.path.basename(run.path))}</p>",
           f'<nav><a href="#answers">answers</a><a href="#status">failures and unstable</a>'
           f'<a href="#context">context</a>{nav}</nav></header>',
           '<section id="answers"><h2>Answers</h2>']
    for workload, benches in workloads:
        out.append(f'<h3><a href="#wl-{_slug(workload)}">{esc(workload)}</a></h3>'
                   f'<p class="question">{esc(answers.question(workload))}</p>'
                   + _answers_html(run, workload, benches))
    out += ["</section>", '<section id="status"><h2>Failures and unstable results</h2>',
            _status_html(run), "</section>",
            '<section id="context"><h2>Context</h2>', _context_html(run),
            f'<p class="note">{esc(" ".join(summary.context_lines(run)))}</p></section>']
    for workload, benches in workloads:
        slug = _slug(workload)
        out.append(f'<section id="wl-{slug}"><h2>{esc(workload)}</h2>'
                   f'<p class="question">{esc(answers.question(workload))}</p>'
                   + _answers_html(run, workload, benches))
        for i, (title, svg) in enumerate(svgs.get(workload, [])):
            out.append(f'<figure>{inline_svg(svg, f"{slug}-{i}-")}'
                       f"<figcaption>{esc(title)}</figcaption></figure>")
        out.append(_table_html(run, benches) + "</section>")
    out += [f"<footer><p class='note'>Written by scripts/report.py from {esc(run.path)}.</p>"
            "</footer>", f"<script>{SCRIPT}</script>", "</body></html>"]
    return "\n".join(out)


def write(run, path, svgs=None):
    """Writes report.html to path; draws the charts when svgs is None."""
    if svgs is None:
        from concbench import charts
        svgs = charts.draw(run)[1]
    text = render(run, svgs)
    try:
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise cli.CbError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def failed_line(run):
    """One line naming the failed benchmarks, or None."""
    failed = [b for b in run.benches.values() if b.failed]
    if not failed:
        return None
    return (f"{len(failed)} benchmark{'s' if len(failed) > 1 else ''} failed, drawn as failed "
            f"(first: {failed[0].name}: {failed[0].errors[0]})")


def main():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--in", dest="inp", required=True, help="concbench.json to report")
    p.add_argument("--out", help="HTML file (default: report.html next to the JSON)")
    args = p.parse_args()
    run = results.load_run(args.inp)
    cli.pyplot()
    out = args.out or os.path.join(os.path.dirname(args.inp) or ".", "report.html")
    write(run, out)
    line = failed_line(run)
    if line:
        raise cli.CbError(f"{line}; report in {out}", EXIT_FAILED)
    print(f"concbench: wrote {out}", file=sys.stderr)
    return 0
