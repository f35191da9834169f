"""Rebuilds real_noise.json from the raw runs of a gate calibration.

Usage: PYTHONPATH=scripts /usr/bin/python3 scripts/tests/data/make_real_noise.py DIR [N]
where DIR is a gate_check.py --dir. For each benchmark in KEEP it takes the
first N (default 48) runs of the binary (each one invocation: k
repetitions) from the A/A runs, both sides, and writes them in Google
Benchmark's shape with concbench_round numbering the invocation.
"""

import glob
import json
import os
import sys

from concbench import results

KEEP = (
    "sum_squares/serial/tasks:1000/inner:10000",
    "sum_squares_skewed/serial/tasks:3000",
    "sum_squares/threads/tasks:1000/inner:10000/workers:2",
    "sum_squares/tbb/tasks:1000/inner:10000/workers:2",
    "sum_squares/tbb/tasks:1000/inner:10000/workers:1",
    "sum_squares/process_pool_map/tasks:1000/inner:10/workers:1/chunk:auto",
    "ipc/shm_ring/pingpong/peer:process/size:8/pin:split",
    "ipc/shm_ring/pingpong/peer:process/size:8/pin:same",
    "ipc/pipe/pingpong/peer:process/size:8/pin:same",
    "ipc/pipe/pingpong/peer:process/size:8/pin:split",
    "spawn/process_start_join",
    "spawn/thread_start_join",
    "sleep_io/serial/tasks:8/sleep_ms:2",
    "sleep_io/threads/tasks:8/sleep_ms:2/workers:2",
)
CONTEXT_KEYS = ("cpu_model", "logical_cores", "kernel", "date", "concbench_revision",
                "concbench_mode")


def main(src, per):
    invocations = {name: [] for name in KEEP}
    context = None
    for path in sorted(glob.glob(os.path.join(src, "aa_*_base.json"))
                       + glob.glob(os.path.join(src, "aa_*_new.json"))):
        run = results.load_run(path)
        context = context or run.context
        for name in KEEP:
            b = run.benches.get(name)
            if b is None or b.failed:
                continue
            for r in sorted(set(b.rounds)):
                invocations[name].append([t for t, x in zip(b.times_ns, b.rounds) if x == r])
    entries = [{"name": name, "real_time": round(t, 1), "time_unit": "ns",
                "concbench_round": i}
               for name, runs in invocations.items()
               for i, reps in enumerate(runs[:per]) for t in reps]
    ctx = {k: v for k, v in (context or {}).items() if k in CONTEXT_KEYS}
    ctx["note"] = ("Real repetitions from A/A gate runs on the 2-vCPU reference machine; "
                   "concbench_round numbers the invocation (one run of the binary).")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "real_noise.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"context": ctx, "benchmarks": entries}, f, separators=(",", ":"))
    print({name: min(len(v), per) for name, v in invocations.items()})


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 48)
