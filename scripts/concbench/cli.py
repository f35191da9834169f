"""What every command-line script shares: one-line errors instead of
tracebacks, optional third-party imports that name their Debian package, and
an argparse that reports usage errors the same way.

Only the standard library is imported at module level; numpy, scipy and
matplotlib are imported on demand through require() and pyplot().
"""

import argparse
import importlib
import json
import os
import sys

DEBIAN_PACKAGE = {"matplotlib": "python3-matplotlib", "scipy": "python3-scipy",
                  "numpy": "python3-numpy"}

# Exit statuses shared by every script (documented in the README).
EXIT_OK = 0
EXIT_FOUND = 1        # regress/compare: a benchmark is slower; chaos: an iteration failed
EXIT_USAGE = 2        # bad usage or input
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70


class CbError(Exception):
    """An error the user can fix; reported as one 'concbench: ...' line.
    `code` is the exit status (EXIT_USAGE unless said otherwise)."""

    def __init__(self, message, code=EXIT_USAGE):
        super().__init__(message)
        self.code = code


def write_json(path, doc):
    """Writes `doc` to `path` as indented JSON; one clear error if it cannot."""
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    except OSError as e:
        raise CbError(f"cannot write {path}: {e.strerror or e}") from None


def die(message, code=EXIT_USAGE):
    print(f"concbench: {message}", file=sys.stderr)
    sys.exit(code)


def main_guard(main):
    """Runs main() so that no input ever produces a traceback (set
    CONCBENCH_DEBUG=1 to see one while developing)."""
    try:
        code = main()
    except CbError as e:
        die(str(e), e.code)
    except KeyboardInterrupt:
        die("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as e:  # pylint: disable=broad-except
        if os.environ.get("CONCBENCH_DEBUG"):
            raise
        die(f"internal error: {type(e).__name__}: {e}", EXIT_INTERNAL)
    sys.exit(code or 0)


def require(name):
    """Imports a third-party module or fails with the command that installs it."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        top = name.split(".")[0]
        pkg = DEBIAN_PACKAGE.get(top, f"python3-{top}")
        raise CbError(f"missing Python package {top} ({e}); run scripts/deps.sh "
                      f"(Debian package {pkg}) and use /usr/bin/python3") from None


def pyplot():
    """matplotlib's pyplot on the Agg backend: charts are files, never windows."""
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    return require("matplotlib.pyplot")


class ArgParser(argparse.ArgumentParser):
    """argparse with usage errors reported as one 'concbench: ...' line."""

    def error(self, message):
        die(f"{self.prog}: {message} (see --help)")
