"""The shared runner of the CPython rows: repetitions, timing with
time.perf_counter_ns, verification, and Google-Benchmark-shaped JSON whose
context.concbench declares every benchmark's primary metric (schema 2), as
the C++ binary writes it.

A benchmark is a Spec: its contract name (ending in impl:cpython), its
metric, and `open`, a context manager that sets up whatever the benchmark
needs outside the timed region (a pool, a peer process) and yields `once`.
`once()` runs one repetition and returns a Sample; it raises Wrong when the
result is not the exact expected one. The context manager's exit releases
everything (pools joined, children reaped), also on an error or Ctrl-C.
"""

import datetime
import json
import math
import os
import platform
import re
import socket
import subprocess
import sys
import time
from typing import Callable, NamedTuple

REPETITIONS = {"smoke": 1, "quick": 3, "full": 6}
START_METHODS = ("fork", "forkserver", "spawn")

# Traits the scripts read, as the C++ binary declares them (strings).
INLINE = {"runs_in": "inline", "start_method": "none", "takes_workers": "false"}


class Wrong(Exception):
    """A repetition whose result is not the exact expected one."""


class BadInput(Exception):
    """Bad command-line input: one 'concbench:' line, exit 2."""


class Sample(NamedTuple):
    """One repetition: wall nanoseconds for `iterations` iterations (the JSON's
    real_time is their mean), and counters."""
    ns: int
    iterations: int = 1
    counters: dict = {}


class Spec(NamedTuple):
    name: str
    open: Callable        # () -> context manager yielding once() -> Sample
    metric: dict
    traits: dict = {}


def metric(name="real_time", unit="s", better="lower", kind="latency"):
    return {"name": name, "unit": unit, "better": better, "kind": kind}


def name(*segments, **params):
    """'<workload>/<variant>/<k>:<v>.../impl:cpython' in the given order."""
    parts = list(segments) + [f"{k}:{v}" for k, v in params.items() if v is not None]
    return "/".join(parts + ["impl:cpython"])


def expect(what, got, want):
    """Raises Wrong unless got == want."""
    if got != want:
        raise Wrong(f"{what}: got {got}, expected {want}")


def timed(fn, *args):
    """(elapsed ns, fn(*args)): the timed region is exactly the call."""
    t0 = time.perf_counter_ns()
    out = fn(*args)
    return time.perf_counter_ns() - t0, out


def parse_params(bench_name):
    return dict(seg.split(":", 1) for seg in bench_name.split("/")[2:] if ":" in seg)


def _entry(spec, family, reps, index, sample=None, error=None):
    e = {"name": spec.name, "family_index": family, "per_family_instance_index": 0,
         "run_name": spec.name, "run_type": "iteration", "repetitions": reps,
         "repetition_index": index, "threads": 1}
    if error is not None:
        e.update({"error_occurred": True, "error_message": error})
        return e
    per_iter = sample.ns / max(sample.iterations, 1)
    e.update({"iterations": sample.iterations, "real_time": per_iter, "cpu_time": per_iter,
              "time_unit": "ns"})
    e.update({k: float(v) for k, v in sample.counters.items()})
    return e


def run_spec(spec, family, reps, log):
    """Every repetition of one benchmark as JSON entries; the first wrong or
    failed repetition ends it with an error entry."""
    entries = []
    try:
        with spec.open() as once:
            once()  # warm-up: verified, never reported (pool workers still starting, caches)
            for i in range(reps):
                sample = once()
                if not math.isfinite(sample.ns) or sample.ns <= 0:
                    raise Wrong(f"no time measured ({sample.ns} ns)")
                entries.append(_entry(spec, family, reps, i, sample))
    except Wrong as e:
        entries.append(_entry(spec, family, reps, len(entries), error=f"verification failed: {e}"))
    except Exception as e:  # pylint: disable=broad-except
        # A child that died, a timeout, a broken pool: this benchmark fails
        # (loudly, in the JSON and the exit status), the others still run.
        entries.append(_entry(spec, family, reps, len(entries),
                              error=f"{type(e).__name__}: {e or 'no message'}"))
    ok = not entries or not entries[-1].get("error_occurred")
    if ok:
        ms = sorted(x["real_time"] for x in entries)[len(entries) // 2] / 1e6 if entries else 0
        log(f"{spec.name}: median {ms:.4g} ms over {len(entries)} repetitions")
    else:
        log(f"{spec.name}: FAILED: {entries[-1]['error_message']}")
    return entries, ok


def select(specs, pattern):
    """The specs whose name the regex matches (searched); '-REGEX' negates."""
    if not pattern:
        return specs
    negate = pattern.startswith("-")
    try:
        rx = re.compile(pattern[1:] if negate else pattern)
    except re.error as e:
        raise BadInput(f"bad --filter regex '{pattern}': {e}") from None
    return [s for s in specs if bool(rx.search(s.name)) != negate]


def usable_cores():
    """The CPUs this process may run on (the C++ binary's LogicalCores)."""
    return len(os.sched_getaffinity(0)) or 1


def load_at_start(log):
    """(the 1, 5 and 15 minute load averages, loaded): loaded when the
    1-minute one is above the usable cores, as the C++ binary decides it;
    other work competing for the CPUs makes every figure noisier, so it
    warns through `log` before the run (and the context records it)."""
    try:
        load = list(os.getloadavg())
    except OSError:
        return [], False
    cores = usable_cores()
    loaded = load[0] > cores
    if loaded:
        log(f"concbench: warning: the load average is {load[0]:.2f} on {cores} CPUs: other "
            "work competes with the benchmarks, so the figures will be noisier (recorded as "
            "context.concbench.loaded)")
    return load, loaded


def context(mode, reps, specs, load=None, loaded=False):
    """The run's context; `load` and `loaded` as load_at_start gives them
    (None: read the load averages now, without a warning)."""
    if load is None:
        load = list(os.getloadavg())
    uname = platform.uname()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host_name": socket.gethostname(),
        "executable": sys.executable,
        "num_cpus": os.cpu_count(),
        "load_avg": load,
        "cpu_model": _cpu_model(),
        "build_type": f"CPython {platform.python_version()}",
        "concbench_revision": _revision(),
        "affinity": _affinity(),
        "kernel": f"{uname.system} {uname.release} {uname.machine}",
        "logical_cores": str(os.cpu_count()),
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "concbench_mode": mode,
        "concbench": {
            "schema": 2, "mode": mode, "repetitions": reps, "impl": "cpython",
            "load_avg_start": load, "loaded": loaded,
            "start_method": "per benchmark (start:fork|forkserver|spawn); fork elsewhere",
            "benchmarks": [_describe(s) for s in specs],
        },
    }


def _describe(spec):
    parts = spec.name.split("/")
    return {"name": spec.name, "workload": parts[0], "variant": parts[1],
            "modes": [p for p in parts[2:] if ":" not in p], "params": parse_params(spec.name),
            "traits": spec.traits, "metric": spec.metric, "floor": None}


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _revision():
    """The git revision of the tree these programs are in (as the C++
    binary records its own), or 'unknown'."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "-C", here, "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def _affinity():
    """The CPUs this process may run on, as ranges ('0-1,4'), as the C++
    binary writes them."""
    ranges = []
    for c in sorted(os.sched_getaffinity(0)):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return ",".join(f"{a}-{b}" if a != b else f"{a}" for a, b in ranges)


def run_all(specs, mode, reps, log):
    """Runs the specs in order; returns (JSON document, all verified)."""
    doc = {"context": context(mode, reps, specs, *load_at_start(log)), "benchmarks": []}
    all_ok = True
    for family, spec in enumerate(specs):
        entries, ok = run_spec(spec, family, reps, log)
        doc["benchmarks"] += entries
        all_ok &= ok
    doc["context"]["concbench"]["load_avg_end"] = list(os.getloadavg())
    return doc, all_ok


def write_json(doc, path):
    """Writes the document atomically (a reader never sees half a file)."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
