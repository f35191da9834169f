"""report.html: its sections and marks, self-contained (no network), and
opened in a real browser (headless Chromium): no console error, the tables
sort, and a screenshot of the right size that is not blank."""

import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest

from tests import helpers
from concbench import cli, report, results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WINDOW = (1280, 2000)
OK_MARK = "concbench-test-ok:"
# Appended to a copy of the report: sorts every table by its figure column
# (the header marked data-figure) both ways and checks the order; any
# problem is a console error.
CHECK_SCRIPT = """<script>
(function () {
  const tables = document.querySelectorAll("table.sortable");
  let sorted = 0;
  for (const table of tables) {
    const th = Array.from(table.tHead.rows[0].cells)
        .find((c) => "figure" in c.dataset);
    if (!th) { console.error("no figure column in a table"); return; }
    for (const ascending of [true, false]) {
      th.click();
      const keys = Array.from(table.tBodies[0].rows)
          .map((r) => r.cells[th.cellIndex].dataset.sort)
          .filter((v) => v !== "").map(Number);
      for (let i = 1; i < keys.length; i++) {
        if (ascending ? keys[i - 1] > keys[i] : keys[i - 1] < keys[i]) {
          console.error("table not sorted by " + th.textContent); return;
        }
      }
    }
    sorted++;
  }
  const charts = document.querySelectorAll("figure > svg").length;
  if (!charts || !sorted) { console.error("no charts or no tables"); return; }
  console.log("%s " + sorted + " tables sorted, " + charts + " charts");
})();
</script>""" % OK_MARK


def setUpModule():
    global TMP, SMOKE_REPORT, FAILED_REPORT
    TMP = tempfile.mkdtemp(prefix="concbench-report-test-")
    SMOKE_REPORT = report.write(results.load_run(helpers.data("smoke_v2.json")),
                                os.path.join(TMP, "smoke", "report.html"))
    FAILED_REPORT = report.write(results.load_run(helpers.data("failed_v2.json")),
                                 os.path.join(TMP, "failed", "report.html"), svgs={})


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class ReportTest(unittest.TestCase):
    def test_sections_in_order(self):
        page = read(SMOKE_REPORT)
        order = [page.index(f'id="{s}"') for s in ("answers", "status", "context")]
        self.assertEqual(order, sorted(order))
        run = results.load_run(helpers.data("smoke_v2.json"))
        for workload in run.workloads():
            self.assertIn(f'<section id="wl-{workload.replace("_", "-")}">', page)
        self.assertEqual(page.count('<table class="sortable">'),
                         len(run.workloads()) + page.count("<h3>Per-task fits</h3>"))
        self.assertIn("No benchmark failed.", page)
        self.assertIn("concbench.schema", page)

    def test_self_contained(self):
        page = read(SMOKE_REPORT)
        self.assertGreater(page.count("<figure><svg"), 8)
        self.assertNotRegex(page, r"""(src|href)\s*=\s*["']?(https?:|//)""")
        self.assertNotIn("<link", page)
        self.assertNotIn("<img", page)
        self.assertNotIn("@import", page)
        ids = re.findall(r'\bid="([^"]+)"', page)
        self.assertEqual(len(ids), len(set(ids)), "ids collide between inline charts")

    def test_failures_marked_without_figures(self):
        page = read(FAILED_REPORT)
        self.assertIn('<p class="bad">1 failed (no figure reported):</p>', page)
        self.assertIn('<li class="failed">sum_squares/tbb/tasks:1000/inner:10000/workers:2: '
                      "verify failed: got 41 expected 42</li>", page)
        row = re.search(r'<tr class="failed[^"]*">(.*?)</tr>', page).group(1)
        self.assertIn("FAILED: verify failed", row)
        self.assertNotRegex(row, r"\d (ms|us|s) \[")  # no figure with an interval
        self.assertIn('class="unstable', read(SMOKE_REPORT) + page)

    def test_inline_svg_prefixes_ids(self):
        svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg><!-- x --><defs><clipPath id="c1">'
               '</clipPath></defs><g clip-path="url(#c1)"><use xlink:href="#c1"/></g></svg>')
        out = report.inline_svg(svg, "w-0-")
        self.assertTrue(out.startswith("<svg>"))
        self.assertIn('id="w-0-c1"', out)
        self.assertIn("url(#w-0-c1)", out)
        self.assertIn('href="#w-0-c1"', out)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


@unittest.skipIf(CHROMIUM is None, "chromium is not installed (Debian package chromium, "
                                   "installed by scripts/deps.sh): report.html is not checked "
                                   "in a browser")
class BrowserTest(unittest.TestCase):
    def open(self, html_path):
        """Loads a page in headless Chromium; returns (console lines, screenshot path)."""
        profile = tempfile.mkdtemp(prefix="concbench-chromium-", dir=TMP)
        shot = os.path.join(profile, "shot.png")
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr",
               "--v=0", f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={shot}",
               "file://" + os.path.abspath(html_path)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        console = [line for line in r.stderr.splitlines() if ":CONSOLE" in line]
        return console, shot

    def test_report_in_a_real_browser(self):
        page = read(SMOKE_REPORT)
        checked = os.path.join(os.path.dirname(SMOKE_REPORT), "checked.html")
        with open(checked, "w", encoding="utf-8") as f:
            f.write(page.replace("</body>", CHECK_SCRIPT + "</body>"))
        console, shot = self.open(checked)
        ok = [line for line in console if OK_MARK in line]
        errors = [line for line in console if OK_MARK not in line]
        self.assertEqual(errors, [], "console messages from the report")
        self.assertEqual(len(ok), 1, console)  # the page's script ran and the tables sort
        self.assertEqual(png_size(shot), WINDOW)
        image = cli.require("matplotlib.image").imread(shot)
        ink = (image[:, :, :3].min(axis=2) < 0.9).mean()
        self.assertGreater(ink, 0.02, "the screenshot is blank")
        colours = {tuple(px) for px in (image[::7, ::7, :3] * 255).astype(int).reshape(-1, 3)}
        self.assertGreater(len(colours), 20, "the screenshot shows no charts or text")

    def test_console_errors_are_caught(self):
        broken = os.path.join(TMP, "broken.html")
        with open(broken, "w", encoding="utf-8") as f:
            f.write("<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();"
                    "</script></body></html>")
        console, _ = self.open(broken)
        self.assertTrue(any("Uncaught ReferenceError" in line for line in console), console)


if __name__ == "__main__":
    unittest.main()
