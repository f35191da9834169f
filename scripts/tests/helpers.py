"""Paths and a subprocess runner shared by the script tests."""

import os
import subprocess
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(TESTS)
ROOT = os.path.dirname(SCRIPTS)
DATA = os.path.join(TESTS, "data")
FAKE = os.path.join(TESTS, "fake_concbench.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def data(name):
    return os.path.join(DATA, name)


def run_script(script, *args, env=None, timeout=120):
    """Runs scripts/<script> with Debian's python; returns CompletedProcess."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("CONCBENCH_DEBUG", None)
    return subprocess.run([PYTHON, os.path.join(SCRIPTS, script), *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout, cwd=ROOT)
