"""Checks a concbench JSON: the context keys, the contract names (with
optional mode segments such as ipc/pipe/pingpong), every repetition kept, no
failed run, every sum_squares and sleep_io variant and every bank primitive
(threads, and processes where process-shared) present, and the counters
sleep_io and bank runs must carry."""
import json
import re
import sys

CONTEXT_KEYS = [
    "concbench_revision", "cpu_model", "logical_cores", "affinity", "kernel",
    "compiler", "build_type", "boost_version", "tbb_version", "fmt_version",
    "benchmark_version", "concbench_mode",
]
# <workload>/<variant>[/<mode>...]/<key>:<value>...
NAME = re.compile(r"^[a-z_]+/[a-z_]+(/[a-z_]+)*(/[a-z_]+:[A-Za-z0-9_.]+)*$")
VARIANTS = [
    "serial", "threads", "thread_pool", "tbb", "std_async", "process_per_task",
    "process_pool_map", "process_pool_apply_async", "task_queue",
]

SLEEP_IO_COUNTERS = [
    "makespan", "ideal_makespan", "efficiency", "overhead_per_task",
    "threads_created", "processes_created",
]

BANK_PRIMITIVES = [
    "none", "std_mutex", "spinlock", "atomic", "tbb_spin_mutex",
    "tbb_queuing_mutex", "ipc_mutex", "ipc_semaphore", "posix_named_semaphore",
    "shm_atomic",
]
BANK_COUNTERS = ["ops_per_second", "final_balance", "expected_balance", "balance_error"]
BANK_TIMED_COUNTERS = ["fairness_min", "fairness_max"]
BANK_SHARED = {"none", "ipc_mutex", "ipc_semaphore", "posix_named_semaphore",
               "shm_atomic"}


def main(path, expected_benchmarks):
    with open(path) as f:
        data = json.load(f)
    problems = []
    context = data["context"]
    problems += [f"context lacks {key}" for key in CONTEXT_KEYS if not context.get(key)]
    runs = [b for b in data["benchmarks"] if b["run_type"] == "iteration"]
    names = set()
    for run in runs:
        name = run["run_name"].removesuffix("/real_time")
        names.add(name)
        if not NAME.match(name):
            problems.append(f"name breaks the contract: {name}")
        if run.get("error_occurred"):
            problems.append(f"{name} failed: {run.get('error_message')}")
        if name.startswith("sleep_io/"):
            problems += [f"{name} lacks counter {key}" for key in SLEEP_IO_COUNTERS
                         if key not in run]
        elif name.startswith("bank/"):
            wanted = BANK_COUNTERS + (BANK_TIMED_COUNTERS if "/timed_ms:" in name else [])
            problems += [f"{name} lacks counter {c}" for c in wanted if c not in run]
    if len(names) != expected_benchmarks:
        problems.append(f"{len(names)} benchmarks in the JSON, {expected_benchmarks} listed")
    for name in names:
        count = sum(1 for run in runs if run["run_name"].removesuffix("/real_time") == name)
        if count != runs[0]["repetitions"]:
            problems.append(f"{name} has {count} repetitions, not {runs[0]['repetitions']}")
    for workload in ("sum_squares", "sum_squares_skewed"):
        for variant in VARIANTS:
            if not any(n.startswith(f"{workload}/{variant}/") for n in names):
                problems.append(f"missing {workload}/{variant}")
    for variant in VARIANTS + ["asio_async"]:
        if not any(n.startswith(f"sleep_io/{variant}/") for n in names):
            problems.append(f"missing sleep_io/{variant}")
    for primitive in BANK_PRIMITIVES:
        modes = ["threads"] + (["processes"] if primitive in BANK_SHARED else [])
        for mode in modes:
            if not any(n.startswith(f"bank/{primitive}/{mode}/") for n in names):
                problems.append(f"missing bank/{primitive}/{mode}")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    print(f"{len(names)} benchmarks, {len(runs)} runs, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
