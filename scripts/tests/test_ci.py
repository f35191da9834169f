"""The CI recipes and what they publish: the workflow files parse, every make
target and variable they use exists in the Makefile, and the gate writes its
Markdown summary and JUnit XML (through regress.py with a stand-in binary)."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

from tests.helpers import FAKE, ROOT, run_script
from concbench import cli

WORKFLOWS = (os.path.join(ROOT, ".github", "workflows", "bench.yml"),
             os.path.join(ROOT, "ci", "gitlab-bench.yml"))


def makefile():
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as f:
        return f.read()


def commands(node):
    """Every shell line of a parsed workflow (GitHub 'run', GitLab scripts)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield from value.replace("\\\n", " ").splitlines()
            elif key in ("script", "before_script", "after_script"):
                for line in value if isinstance(value, list) else [value]:
                    yield from str(line).splitlines()
            else:
                yield from commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from commands(item)


class WorkflowTest(unittest.TestCase):
    def load(self, path):
        yaml = cli.require("yaml")
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)

    def test_workflows_parse_and_use_existing_targets(self):
        targets = set(re.findall(r"^([a-z][a-z-]*):", makefile(), re.M))
        variables = set(re.findall(r"\$\(([A-Z_]+)\)", makefile()))
        for path in WORKFLOWS:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                doc = self.load(path)
                lines = list(commands(doc))
                made = [m for line in lines for m in re.findall(r"\bmake\s+([a-z][a-z-]*)", line)]
                self.assertIn("regress", made)
                self.assertIn("report", made)
                self.assertEqual(set(made) - targets, set())
                for line in lines:
                    if re.search(r"\bmake\s+[a-z]", line):
                        used = set(re.findall(r"\b([A-Z_]+)=", line))
                        self.assertEqual(used - variables, set(), line)
                self.assertTrue(any("sudo scripts/deps.sh" in line for line in lines))
                self.assertTrue(any("MARKDOWN=" in line and "JUNIT=" in line for line in lines))

    def test_github_workflow_fetches_history_and_publishes(self):
        doc = self.load(WORKFLOWS[0])
        triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare 'on' as true
        self.assertIn("pull_request", triggers)
        steps = doc["jobs"]["gate"]["steps"]
        checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
        self.assertEqual(checkout["with"]["fetch-depth"], 0)
        text = "\n".join(commands(doc))
        self.assertIn("$GITHUB_STEP_SUMMARY", text)
        uses = [str(s.get("uses", "")) for job in doc["jobs"].values() for s in job["steps"]]
        self.assertTrue(any(u.startswith("actions/upload-artifact") for u in uses))
        self.assertTrue(any(u.startswith("benchmark-action/github-action-benchmark")
                            for u in uses))

    def test_gitlab_job_fetches_history_and_reports_junit(self):
        job = self.load(WORKFLOWS[1])["concbench-gate"]
        self.assertEqual(str(job["variables"]["GIT_DEPTH"]), "0")
        self.assertEqual(job["artifacts"]["reports"]["junit"], "results/gate/gate.xml")


# A stand-in make: the gate "ran" and found a failed benchmark (3), which it
# writes to STATUS=; make itself exits 2, as it does for any failed recipe.
FAKE_MAKE = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in STATUS=*) echo 3 > "${arg#STATUS=}" ;; esac
done
exit 2
"""


class GateStatusTest(unittest.TestCase):
    """The CI job's status is the gate's own (1 slower, 3 failed, 4 too few),
    not make's 2."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="concbench-ci-status-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir)
        with open(os.path.join(bindir, "make"), "w", encoding="utf-8") as f:
            f.write(FAKE_MAKE)
        os.chmod(os.path.join(bindir, "make"), 0o755)
        self.env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
                        GITHUB_OUTPUT=os.path.join(self.tmp, "output"),
                        GITHUB_STEP_SUMMARY=os.path.join(self.tmp, "summary"), BASE="")

    def run_job(self, script):
        return subprocess.run(["bash", "-e", "-c", script], cwd=self.tmp, env=self.env,
                              capture_output=True, text=True, timeout=60)

    def test_github_step_exits_and_outputs_the_gates_status(self):
        doc = WorkflowTest.load(None, WORKFLOWS[0])
        step = next(s for s in doc["jobs"]["gate"]["steps"] if s.get("id") == "gate")
        r = self.run_job(step["run"])
        self.assertEqual(r.returncode, 3, r.stderr)
        with open(self.env["GITHUB_OUTPUT"], encoding="utf-8") as f:
            self.assertEqual(f.read().strip(), "status=3")

    def test_gitlab_job_exits_with_the_gates_status(self):
        job = WorkflowTest.load(None, WORKFLOWS[1])["concbench-gate"]
        r = self.run_job("\n".join(job["script"]))
        self.assertEqual(r.returncode, 3, r.stderr)


class GateFilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="concbench-ci-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_markdown_and_junit_from_the_gate(self):
        md, xml = os.path.join(self.tmp, "gate.md"), os.path.join(self.tmp, "gate.xml")
        r = run_script("regress.py", "--quiet", "--binary-base", FAKE, "--binary-new", FAKE,
                       "--suite", "smoke", "--repetitions", "4", "--rounds", "3",
                       "--new-args=--test_slowdown=sum_squares/serial:1.5",
                       "--markdown", md, "--junit", xml)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        with open(md, encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.startswith("## concbench regression gate: FAIL: 1 slower"), text)
        self.assertIn("| `sum_squares/serial/tasks:100/inner:100` | slower |", text)
        self.assertIn("<details><summary>every benchmark</summary>", text)
        suite = ET.parse(xml).getroot()
        self.assertEqual(suite.tag, "testsuite")
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("4", "1"))
        failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
        self.assertEqual([(c.get("classname"), c.get("name")) for c in failed],
                         [("concbench.sum_squares", "serial/tasks:100/inner:100")])

    def test_unwritable_files_are_one_line(self):
        r = run_script("regress.py", "--quiet", "--binary-base", FAKE, "--binary-new", FAKE,
                       "--suite", "smoke", "--repetitions", "3", "--rounds", "1",
                       "--markdown", os.path.join(self.tmp, "no", "such", "dir", "gate.md"))
        self.assertEqual(r.returncode, 2, r.stderr)
        lines = r.stderr.strip().splitlines()
        self.assertTrue(all(x.startswith("concbench: ") for x in lines), r.stderr)
        self.assertIn("concbench: cannot write", lines[-1])


if __name__ == "__main__":
    unittest.main()
