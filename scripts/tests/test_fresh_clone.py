"""Every command the README documents works on a fresh clone exactly as
written (smoke-sized): the repository, as it is in this working tree, is
cloned into a temporary directory, and each `make ...` (and `cp ...`) line
of the README's command blocks runs there in order.

Smoke-sized: a stand-in `cmake` on PATH "builds" by installing the stand-in
binary (tests/fake_concbench.py, noise-free), so `make bench` and `make
regress` take seconds; everything else (deps.sh, the Makefile, git worktrees,
every script on real and fake results) is real. Not run: `make test`, which
is the suite this test belongs to. The only change to a command: OUT=/tmp/plots
writes into the test's temporary directory.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from tests.helpers import FAKE, ROOT

NOT_RUN = {"make test"}
STUB_CMAKE = """#!/bin/sh
# Stand-in cmake: configuring does nothing; building installs the stand-in binary.
case " $* " in
  *" --build "*) mkdir -p build/release/benchmarks &&
                 cp "$FAKE_BINARY" build/release/benchmarks/concbench ;;
esac
"""


def readme_commands():
    """The shell lines of the README's sh blocks, comments removed, in order."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.invalid",
               GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.invalid")
    return subprocess.run(["git", "-C", cwd, *args], capture_output=True, text=True, env=env,
                          check=True).stdout


def fresh_copy(dest):
    """A clone of ROOT whose last commit is the working tree as it is now
    (tracked and untracked files, ignored ones left out)."""
    subprocess.run(["git", "clone", "-q", ROOT, dest], check=True, capture_output=True)
    files = set(git(ROOT, "ls-files", "-co", "--exclude-standard", "-z").split("\0")) - {""}
    for tracked in git(dest, "ls-files", "-z").split("\0"):
        if tracked and tracked not in files:
            os.unlink(os.path.join(dest, tracked))
    for name in files:
        src = os.path.join(ROOT, name)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, name)) or dest, exist_ok=True)
            shutil.copy2(src, os.path.join(dest, name))
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "--allow-empty", "-m", "the working tree under test")


@unittest.skipIf(shutil.which("git") is None or shutil.which("make") is None,
                 "git and make are needed for the fresh-clone test")
class FreshCloneTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="concbench-clone-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.repo = os.path.join(self.tmp, "concbench")
        fresh_copy(self.repo)
        stubs = os.path.join(self.tmp, "stubs")
        os.makedirs(stubs)
        with open(os.path.join(stubs, "cmake"), "w", encoding="utf-8") as f:
            f.write(STUB_CMAKE)
        os.chmod(os.path.join(stubs, "cmake"), 0o755)
        # PYTHON=0: the documented commands run without the CPython rows,
        # which would take their real time; test_cpython_rows_are_merged
        # runs a few of them through make bench.
        self.env = dict(os.environ, PATH=f"{stubs}:{os.environ['PATH']}", FAKE_BINARY=FAKE,
                        FAKE_CONCBENCH_CV="0", PYTHON="0")
        self.env.pop("CONCBENCH_DEBUG", None)
        self.env.pop("MAKEFLAGS", None)
        self.env.pop("MFLAGS", None)
        deps = subprocess.run(["scripts/deps.sh"], cwd=self.repo, capture_output=True,
                              text=True, env=self.env)
        if deps.returncode != 0:
            self.skipTest(f"scripts/deps.sh cannot install what is missing: {deps.stderr}")

    def test_every_documented_command(self):
        commands = readme_commands()
        self.assertIn("make plot IN=results/baseline/concbench.json OUT=/tmp/plots", commands)
        ran = []
        for command in commands:
            if command in NOT_RUN:
                continue
            line = command.replace("OUT=/tmp/plots", f"OUT={self.tmp}/plots")
            r = subprocess.run(["bash", "-c", line], cwd=self.repo, capture_output=True,
                               text=True, env=self.env, timeout=600)
            self.assertEqual(r.returncode, 0, f"{command}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
            self.assertNotIn("Traceback", r.stderr, command)
            ran.append(command)
        self.assertGreaterEqual(len(ran), 14)
        for path in ("results/latest/report.html", "results/latest/summary.md",
                     "results/history.jsonl", "before.json", "gate.md", "gate.xml",
                     "gate.json", "bmf.json", "gab.json"):
            self.assertTrue(os.path.exists(os.path.join(self.repo, path)), path)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "plots", "report.html")))
        # regress removed the base's worktree again
        self.assertEqual(git(self.repo, "worktree", "list").count("\n"), 1)

    def test_cpython_rows_are_merged(self):
        json_path = os.path.join(self.repo, "results", "latest", "concbench.json")
        for flag, expected in (("PYTHON=1", True), ("PYTHON=0", False)):
            command = f"make bench QUICK=1 FILTER='^(sum_squares/serial|spawn/thread_st)' {flag}"
            r = subprocess.run(["bash", "-c", command], cwd=self.repo, capture_output=True,
                               text=True, env=self.env, timeout=600)
            self.assertEqual(r.returncode, 0, f"{command}\n{r.stderr[-3000:]}")
            with open(json_path, encoding="utf-8") as f:
                doc = json.load(f)
            cpython = [e["name"] for e in doc["benchmarks"] if "/impl:cpython" in e["name"]]
            self.assertEqual(bool(cpython), expected, command)
            if expected:
                self.assertIn("spawn/thread_start_join/impl:cpython", cpython)
                families = {}
                for e in doc["benchmarks"]:  # the stand-in binary writes none
                    if "family_index" in e:
                        families.setdefault(e["family_index"], set()).add(e["run_name"])
                self.assertTrue(families)
                self.assertTrue(all(len(v) == 1 for v in families.values()), families)

    def test_make_bench_fails_when_a_benchmark_failed(self):
        """Whether the binary exits 1 or the failure is only in the JSON
        (plot.py's 3), make bench writes everything, then fails with one line."""
        latest = os.path.join(self.repo, "results", "latest")
        for status in ("1", "0"):
            with self.subTest(binary_status=status):
                shutil.rmtree(latest, ignore_errors=True)
                env = dict(self.env, FAKE_CONCBENCH_FAIL="sum_squares/serial",
                           FAKE_CONCBENCH_FAIL_STATUS=status)
                r = subprocess.run(["bash", "-c", "make bench QUICK=1 FILTER='^sum_squares/serial'"],
                                   cwd=self.repo, capture_output=True, text=True, env=env,
                                   timeout=600)
                self.assertEqual(r.returncode, 2, r.stderr[-3000:])  # make's failed recipe
                for written in ("concbench.json", "summary.md", "report.html"):
                    self.assertTrue(os.path.exists(os.path.join(latest, written)), written)
                said = [x for x in r.stderr.splitlines() if "make bench failed" in x]
                self.assertEqual(len(said), 1, r.stderr[-3000:])
                self.assertNotIn("Traceback", r.stderr)

    def test_make_targets_on_bad_input(self):
        bad = os.path.join(self.repo, "scripts", "tests", "data")
        for command, text in (
                (f"make plot IN={bad}/empty.json OUT={self.tmp}/p", "is empty"),
                (f"make report IN={bad}/corrupt.json", "not valid JSON"),
                (f"make export IN={bad}/other_tool.json FORMAT=bmf OUT={self.tmp}/x.json",
                 "not Google Benchmark JSON"),
                (f"make export IN={bad}/failed_v2.json FORMAT=gab OUT={self.tmp}/x.json",
                 "failed benchmark"),
                (f"make compare A={bad}/base.json B={bad}/nope.json", "cannot read"),
                (f"make regress BASELINE={bad}/empty.json", "is empty"),
                ("make regress BASE=no-such-revision", "does not exist"),
                ("make plot", "usage: make plot"),
                ("make export IN=x.json", "usage: make export")):
            with self.subTest(command=command):
                r = subprocess.run(["bash", "-c", command], cwd=self.repo, capture_output=True,
                                   text=True, env=self.env, timeout=120)
                self.assertEqual(r.returncode, 2, r.stderr)  # make's status for a failed recipe
                ours = [x for x in r.stderr.splitlines() if x.startswith("concbench: ")
                        and not x.startswith("concbench: cmake ")]  # regress's build steps
                self.assertEqual(len(ours), 1, r.stderr)
                self.assertIn(text, ours[0])
                self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main()
