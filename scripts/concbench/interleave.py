"""Runs binaries side by side, a chunk of benchmarks at a time, round after
round (regress.py's and gate_check.py's runs), and pools each side's chunks."""

import os
import re
import signal
import subprocess
import sys

from concbench import cli, results


def exact_filter(names):
    return "^(" + "|".join(re.escape(n) for n in names) + ")$"


class Progress:
    """One line on stderr, rewritten in place on a terminal."""

    def __init__(self, quiet):
        self.tty = sys.stderr.isatty() and not quiet
        self.quiet = quiet

    def show(self, text):
        if self.quiet:
            return
        sys.stderr.write(f"\r\033[K{text}" if self.tty else f"{text}\n")
        sys.stderr.flush()

    def done(self):
        if self.tty:
            sys.stderr.write("\r\033[K")


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def chunk_run(proc, binary, out, names):
    """The run of one chunk of `names`. A binary that crashed or wrote no
    results failed the chunk's benchmarks: they become failed rows (exit 3),
    not bad usage. Ctrl-C that reached the binary first is an interruption."""
    status = proc.returncode
    if status in (-signal.SIGINT, 128 + signal.SIGINT):
        raise KeyboardInterrupt
    last = (proc.stderr.strip().splitlines() or ["?"])[-1]
    if status == 2:  # the binary refused its arguments: nothing ran
        raise cli.CbError(f"{binary} exited with status 2: {last}")
    if status in (0, 1) and os.path.exists(out):
        try:
            run = results.load_run(out, allow_failed=True)
        except cli.CbError as e:  # the binary's own file: a failure, not bad input
            return results.failed_run(out, names, f"the binary wrote unreadable results: {e}")
        # A benchmark the binary ran but wrote nothing for fails, never
        # turns into "only in base".
        missing = [n for n in names if results.contract_name(n) not in run.benches]
        run.benches.update(results.failed_run(
            out, missing, "the binary wrote no result for it").benches)
        return run
    how = (f"was killed by signal {signal_name(-status)}" if status < 0 else
           f"exited with status {status}" + (" without its results" if status in (0, 1) else ""))
    said = f" ({last})" if proc.stderr.strip() else ""
    return results.failed_run(out, names, f"the binary {how} in this benchmark's chunk{said}")


def run_interleaved(sides, names, rounds, chunk, tmp, quiet, check=None):
    """Runs every chunk of `names` on each side, side by side, `rounds` times.
    sides: [(label, binary, args)]. Returns {label: Run} with the rounds
    recorded per repetition (Bench.rounds). `check`, when given, sees the
    first chunk's run that has a context (so an unlike run is refused after
    seconds, not minutes)."""
    chunks = [names[i:i + chunk] for i in range(0, len(names), chunk)]
    per_round = {label: [[] for _ in range(rounds)] for label, _, _ in sides}
    progress = Progress(quiet)
    step, steps = 0, rounds * len(chunks) * len(sides)
    try:
        for r in range(rounds):
            for c, part in enumerate(chunks):
                order = sides if (r + c) % 2 == 0 else sides[::-1]
                for label, binary, args in order:
                    step += 1
                    progress.show(f"concbench: round {r + 1}/{rounds}, chunk {c + 1}/"
                                  f"{len(chunks)} ({label}), {step}/{steps}")
                    out = os.path.join(tmp, f"{label}_{r}_{c}.json")
                    cmd = [binary, *args, f"--filter={exact_filter(part)}", f"--out={out}"]
                    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                          text=True)
                    run = chunk_run(proc, binary, out, part)
                    if check and run.context:
                        check(run)
                        check = None
                    per_round[label][r].append(run)
    finally:
        progress.done()
    return {label: _pooled(rounds_of) for label, rounds_of in per_round.items()}


def _union(runs):
    """The chunks of one round as one run (their benchmarks are disjoint)."""
    benches = {}
    for run in runs:
        benches.update(run.benches)
    context = next((run.context for run in runs if run.context), {})  # a crash wrote none
    return results.Run(runs[0].path, context, benches)


def _pooled(rounds_of):
    """One side's rounds as one run; recorded as loaded when any chunk was."""
    run = results.merge_runs([_union(parts) for parts in rounds_of])
    if any(results.own_context(part.context).get("loaded") for parts in rounds_of
           for part in parts):
        run.context = {**run.context,
                       "concbench": {**results.own_context(run.context), "loaded": True}}
    return run
