#!/usr/bin/python3
"""A stand-in for build/release/benchmarks/concbench that follows its command
line contract (--list, --filter, --repetitions, --test_slowdown, --out) and writes Google Benchmark-shaped JSON from a lognormal noise
model (CV 2%, or FAKE_CONCBENCH_CV), so regress.py's runner is tested without
the C++ build.
FAKE_CONCBENCH_LOG, if set, gets one line per invocation (the order of runs).
FAKE_CONCBENCH_FAIL, a regex, fails the first repetition of the benchmarks it
matches (every repetition with FAKE_CONCBENCH_FAIL_EVERY=1; an error in the
JSON); the exit status is then FAKE_CONCBENCH_FAIL_STATUS (default 1).
FAKE_CONCBENCH_LOADED=1 records the run as started on a loaded machine.
FAKE_CONCBENCH_OMIT, a regex, leaves the benchmarks it matches out of the JSON
(a binary that ran them and wrote no result).
--fake_crash=REGEX:SIGNAL kills the stand-in with SIGNAL (e.g. SEGV) before it
writes anything when a benchmark it runs matches REGEX."""

import json
import math
import os
import random
import re
import resource
import signal
import sys

MIN_TIME = {"full": 0.01, "quick": 0.002, "smoke": 0.0}  # as the binary's modes
NAMES = {"sum_squares/serial/tasks:100/inner:100": 2e5,
         "sum_squares/threads/tasks:100/inner:100/workers:2": 1.1e5,
         "sum_squares/tbb/tasks:100/inner:100/workers:2": 1.2e5,
         "spawn/process_pool_startup/workers:2": 4e5}


def main():
    opts = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "") for a in sys.argv[1:])
    reps = int(opts.get("repetitions", 3))
    slow = opts.get("test_slowdown")
    regex, factor = (slow.rsplit(":", 1)[0], float(slow.rsplit(":", 1)[1])) if slow else (None, 1)
    if os.environ.get("FAKE_CONCBENCH_LOG"):
        with open(os.environ["FAKE_CONCBENCH_LOG"], "a", encoding="utf-8") as f:
            f.write(" ".join(sys.argv[1:]) + "\n")
    rng = random.Random()
    cv = float(os.environ.get("FAKE_CONCBENCH_CV", "0.02"))
    chosen = [n for n in NAMES if "filter" not in opts or re.search(opts["filter"], n)]
    if "list" in opts:
        print("\n".join(chosen))
        return 0
    if "fake_crash" in opts:
        regex, name = opts["fake_crash"].rsplit(":", 1)
        if any(re.search(regex, n) for n in chosen):
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
            sig = getattr(signal, f"SIG{name}")
            signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
    fail = os.environ.get("FAKE_CONCBENCH_FAIL")
    fail_every = os.environ.get("FAKE_CONCBENCH_FAIL_EVERY") == "1"
    failed = False
    entries = []
    omit = os.environ.get("FAKE_CONCBENCH_OMIT")
    for name in chosen:
        if omit and re.search(omit, name):
            continue
        ns = NAMES[name]
        f = factor if regex and re.search(regex, name) else 1.0
        for i in range(reps):
            t = ns * f * math.exp(rng.gauss(0, cv))
            entries.append({"name": name + "/real_time", "run_name": name + "/real_time",
                            "run_type": "iteration", "repetitions": reps,
                            "repetition_index": i, "threads": 1, "iterations": 10,
                            "real_time": t, "cpu_time": t, "time_unit": "ns"})
            if fail and re.search(fail, name) and (i == 0 or fail_every):
                entries[-1].update(error_occurred=True, error_message="fake failure")
                failed = True
    mode = "smoke" if "smoke" in opts else "quick" if "quick" in opts else "full"
    context = {"date": "2024-05-01T12:00:00+00:00", "num_cpus": 2, "cpu_model": "Fixture CPU @ 2.80GHz",
               "logical_cores": str(len(os.sched_getaffinity(0))), "concbench_revision": "fake",
               "concbench_mode": mode,
               "concbench": {"mode": mode, "repetitions": reps, "min_time": MIN_TIME[mode],
                             "loaded": os.environ.get("FAKE_CONCBENCH_LOADED") == "1"}}
    try:
        with open(opts["out"], "w", encoding="utf-8") as f:
            json.dump({"context": context, "benchmarks": entries}, f)
    except (OSError, KeyError) as e:
        print(f"concbench: cannot write --out: {e}", file=sys.stderr)
        return 1
    return int(os.environ.get("FAKE_CONCBENCH_FAIL_STATUS", "1")) if failed else 0


if __name__ == "__main__":
    sys.exit(main())
