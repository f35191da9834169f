"""Writes the JSON fixtures of the script tests (run once; the outputs are committed).

The files are shaped like concbench's Google Benchmark 1.7.1 output: every
repetition plus the mean/median/stddev/cv aggregates, concbench's context keys,
and the counters of each workload, so that every chart recipe is exercised.
Times come from a seeded lognormal model, so regenerating gives identical files.
"""

import json
import math
import os
import random
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
CONTEXT = {
    "date": "2024-05-01T12:00:00+00:00", "host_name": "fixture", "executable":
    "build/release/benchmarks/concbench", "num_cpus": 2, "mhz_per_cpu": 2800,
    "cpu_scaling_enabled": False, "caches": [], "load_avg": [0.1, 0.1, 0.1],
    "library_build_type": "release", "concbench_revision": "0123456789abcdef",
    "cpu_model": "Fixture CPU @ 2.80GHz", "logical_cores": "2", "affinity": "0-1",
    "kernel": "Linux 6.1.0", "compiler": "GCC 12.2.0", "build_type": "Release",
    "boost_version": "1.74.0", "tbb_version": "2021.8.0", "fmt_version": "9.1.0",
    "benchmark_version": "1.7.1", "concbench_mode": "quick",
}


def entries(name, unit, median, reps, rng, cv=0.03, counters=None):
    """Repetitions of one benchmark plus Google's four aggregates."""
    full = name + "/real_time"
    out, times = [], []
    for i in range(reps):
        t = median * math.exp(rng.gauss(0, cv))
        times.append(t)
        e = {"name": full, "family_index": 0, "per_family_instance_index": 0,
             "run_name": full, "run_type": "iteration", "repetitions": reps,
             "repetition_index": i, "threads": 1, "iterations": 10,
             "real_time": t, "cpu_time": t / 20, "time_unit": unit}
        for k, f in (counters or {}).items():
            e[k] = f(t, rng)
        out.append(e)
    mean, sd = statistics.fmean(times), statistics.stdev(times)
    for agg, v in (("mean", mean), ("median", statistics.median(times)),
                   ("stddev", sd), ("cv", sd / mean)):
        out.append({"name": f"{full}_{agg}", "family_index": 0,
                    "per_family_instance_index": 0, "run_name": full,
                    "run_type": "aggregate", "repetitions": reps, "threads": 1,
                    "aggregate_name": agg,
                    "aggregate_unit": "percentage" if agg == "cv" else "time",
                    "iterations": reps, "real_time": v, "cpu_time": v / 20,
                    "time_unit": unit})
    return out


def full_suite(rng, reps=5):
    b = []
    ss = "sum_squares/{}/tasks:10000/inner:10000"
    b += entries(ss.format("serial"), "ms", 330, reps, rng)
    for w in (1, 2):
        b += entries(ss.format("threads") + f"/workers:{w}", "ms", 332 / w * 1.02, reps, rng)
        b += entries(ss.format("tbb") + f"/workers:{w}", "ms", 331 / w * 1.04, reps, rng)
        for chunk in ("auto", "1"):
            slow = 1.1 if chunk == "auto" else 1.6
            b += entries(ss.format("process_pool_map") + f"/workers:{w}/chunk:{chunk}",
                         "ms", 330 / w * slow, reps, rng)
    b += entries("sum_squares_skewed/serial/tasks:10000", "ms", 160, reps, rng)
    for w in (2, 4):
        b += entries(f"sum_squares_skewed/tbb/tasks:10000/workers:{w}", "ms",
                     160 / min(w, 2) * 1.05, reps, rng)
    for w in (1, 2):
        b += entries(f"spawn/process_pool_startup/workers:{w}", "us", 450 * w, reps, rng, 0.08)
        b += entries(f"spawn/process_pool_shutdown/workers:{w}", "us", 300 * w, reps, rng, 0.08)
    b += entries("spawn/process_per_task/workers:1", "us", 900, reps, rng, 0.1)

    def sleep_counters(ideal):
        return {"makespan": lambda t, r: t / 1e3, "ideal_makespan": lambda t, r: ideal,
                "efficiency": lambda t, r: ideal / (t / 1e3),
                "overhead_per_task": lambda t, r: (t / 1e3 - ideal) / 1000,
                "threads_created": lambda t, r: 2.0}
    b += entries("sleep_io/serial/tasks:100/sleep_ms:10", "ms", 1012, reps, rng, 0.005,
                 sleep_counters(1.0))
    b += entries("sleep_io/threads/tasks:100/sleep_ms:10/workers:2", "ms", 506, reps, rng,
                 0.005, sleep_counters(0.5))
    b += entries("sleep_io/asio_async/tasks:100/sleep_ms:10", "ms", 10.4, reps, rng, 0.01,
                 sleep_counters(0.01))
    ops = 1_000_000
    for prim, mode, ns_per_op, err in (
            ("none", "threads", 8, 3400), ("std_mutex", "threads", 60, 0),
            ("atomic", "threads", 20, 0), ("spinlock", "threads", 45, 0),
            ("ipc_mutex", "processes", 80, 0), ("shm_atomic", "processes", 22, 0),
            ("none", "processes", 9, 2500)):
        def bank(t, r, err=err):
            return {"ops_per_second": lambda t, r: ops / (t / 1e3),
                    "final_balance": lambda t, r: 100.0 + err,
                    "expected_balance": lambda t, r: 100.0,
                    "balance_error": lambda t, r: float(err),
                    "fairness_min": lambda t, r: 0.45, "fairness_max": lambda t, r: 0.55}
        b += entries(f"bank/{prim}/{mode}/ops:{ops}/workers:2", "ms", ops * ns_per_op / 1e6,
                     reps, rng, 0.04, bank(0, 0))
    for chan, lat in (("shm_ring", 0.33), ("pipe", 6.7), ("socketpair", 7.5)):
        for pin, factor in (("split", 1.0), ("none", 60.0)):
            for size in (8, 64, 4096, 65536):
                grow = 1 + size / (4096 if chan == "shm_ring" else 1024)
                t = lat * factor * grow
                b += entries(f"ipc/{chan}/pingpong/peer:process/size:{size}/pin:{pin}",
                             "us", t, reps, rng, 0.05,
                             {"bytes_per_second": lambda t, r, s=size: 2 * s / (t * 1e-6),
                              "items_per_second": lambda t, r: 2 / (t * 1e-6)})
                tp = t / 8
                b += entries(f"ipc/{chan}/throughput/peer:process/size:{size}/pin:{pin}",
                             "us", tp, reps, rng, 0.05,
                             {"bytes_per_second": lambda t, r, s=size: s / (t * 1e-6),
                              "items_per_second": lambda t, r: 1 / (t * 1e-6)})
    return b


def small(rng, slow=None, skip=None, extra=None, reps=5):
    """A short quick-suite-like run for compare/regress/export tests."""
    names = {"sum_squares/serial/tasks:1000/inner:1000": 3.3,
             "sum_squares/threads/tasks:1000/inner:1000/workers:2": 1.7,
             "sum_squares/tbb/tasks:1000/inner:1000/workers:2": 1.75,
             "spawn/process_pool_startup/workers:2": 0.9}
    if extra:
        names[extra] = 2.0
    b = []
    for n, ms in names.items():
        if n == skip:
            continue
        b += entries(n, "ms", ms * (slow[1] if slow and slow[0] == n else 1), reps, rng, 0.01)
    return b


def described(name, metric, traits=None, floor=None):
    """One entry of context.concbench.benchmarks (JSON contract v2)."""
    parts = name.split("/")
    params = dict(p.split(":", 1) for p in parts[2:] if ":" in p)
    return {"name": name, "workload": parts[0], "variant": parts[1],
            "modes": [p for p in parts[2:] if ":" not in p], "params": params,
            "traits": traits or {}, "metric": metric, "floor": floor}


def time_metric(kind):
    return {"name": "real_time", "unit": "s", "better": "lower", "kind": kind}


RATE = {"name": "ns_per_op", "unit": "ns", "better": "lower", "kind": "rate"}
BYTES = {"name": "bytes_per_second", "unit": "B/s", "better": "higher", "kind": "throughput"}
# Bank primitive traits as the binary writes them (strings).
PRIMITIVES = {"none": ("false", "true", "false"), "std_mutex": ("true", "false", "true"),
              "atomic": ("false", "false", "true"), "spinlock": ("true", "false", "true"),
              "ipc_mutex": ("true", "true", "true"), "shm_atomic": ("false", "true", "true")}


def v2_suite(rng, reps=6):
    """A schema-2 run of every workload with metrics, traits and floors,
    two task counts of the tiny-task map, asio, the manager and the limits.
    Returns (benchmarks, descriptions)."""
    b, desc = [], []

    def add(name, unit, median, metric, cv=0.03, counters=None, traits=None, floor=None):
        b.extend(entries(name, unit, median, reps, rng, cv, counters))
        desc.append(described(name, metric, traits, floor))
    cpu = time_metric("cpu")
    for tasks in (1000, 4000):
        shape = f"tasks:{tasks}/inner:10"
        add(f"sum_squares/serial/{shape}", "us", tasks * 0.004, cpu)
        for variant, fixed_us, per_task_us in (("threads", 60, 0.004), ("tbb", 8, 0.003),
                                               ("process_pool_map", 30, 0.05),
                                               ("process_pool_apply_async", 40, 0.9)):
            for w in (1, 2):
                chunk = "/chunk:1" if variant == "process_pool_map" else ""
                add(f"sum_squares/{variant}/{shape}/workers:{w}{chunk}", "us",
                    fixed_us * w + tasks * per_task_us / w, cpu)
    add("sum_squares/serial/tasks:1000/inner:10000", "ms", 4.0, cpu)
    for variant, eff in (("threads", 0.8), ("tbb", 0.97), ("process_pool_map", 0.9)):
        for w in (1, 2, 4):
            chunk = "/chunk:auto" if variant == "process_pool_map" else ""
            add(f"sum_squares/{variant}/tasks:1000/inner:10000/workers:{w}{chunk}", "ms",
                4.0 / (min(w, 2) * eff), cpu)
    add("sum_squares/threads/tasks:1000/inner:10000/workers:2/impl:cpython", "ms", 1140, cpu)
    add("sum_squares/serial/tasks:1000/inner:10000/impl:cpython", "ms", 910, cpu)

    def sleeping(ideal_s):
        return {"makespan": lambda t, r: t / 1e3, "ideal_makespan": lambda t, r: ideal_s,
                "efficiency": lambda t, r: ideal_s / (t / 1e3),
                "overhead_per_task": lambda t, r: (t / 1e3 - ideal_s) / 8,
                "threads_created": lambda t, r: 2.0, "processes_created": lambda t, r: 0.0}
    sleep = time_metric("sleep")
    add("sleep_io/serial/tasks:8/sleep_ms:20", "ms", 161, sleep, 0.003, sleeping(0.16))
    add("sleep_io/threads/tasks:8/sleep_ms:20/workers:2", "ms", 80.6, sleep, 0.003,
        sleeping(0.08))
    for style, ms in (("callbacks", 20.2), ("coroutines", 20.3)):
        add(f"sleep_io/asio_async/tasks:8/sleep_ms:20/style:{style}", "ms", ms, sleep, 0.002,
            sleeping(0.02))
    for n in (100, 1000):
        add(f"sleep_io/threads/tasks:{n}/sleep_ms:10/workers:{n}", "ms", 10 + n * 0.06, sleep,
            0.01, sleeping(0.01))
        add(f"sleep_io/asio_async/tasks:{n}/sleep_ms:10/style:callbacks", "ms",
            10.1 + n * 0.001, sleep, 0.005, sleeping(0.01))
    for prim, (is_lock, shared, exact) in PRIMITIVES.items():
        traits = {"is_lock": is_lock, "process_shared": shared, "exact": exact}
        ns = {"none": 2, "std_mutex": 27, "atomic": 5, "spinlock": 18, "ipc_mutex": 20,
              "shm_atomic": 5.2}[prim]
        for mode in ("threads", "processes") if shared == "true" else ("threads",):
            for w, contention in ((1, 0.3), (2, 1.0)):
                ops = 100000
                lost = 3000.0 if prim == "none" and w == 2 else 0.0
                per_op = ns * contention
                counters = {"ns_per_op": lambda t, r, p=per_op: p * (t / (ops * 2 * p / 1e6)),
                            "ops_per_second": lambda t, r, w=w: ops * w / (t / 1e3),
                            "balance_error": lambda t, r, x=lost: x,
                            "final_balance": lambda t, r, x=lost: 100 + x,
                            "expected_balance": lambda t, r: 100.0}
                add(f"bank/{prim}/{mode}/ops:{ops}/workers:{w}", "ms", ops * w * per_op / 1e6,
                    RATE, 0.04, counters, traits)
            if prim in ("none", "std_mutex"):
                add(f"bank/{prim}/{mode}/ops:10000/workers:2/cs:100", "ms", 10000 * 2 * 150 / 1e6,
                    RATE, 0.04, {"ns_per_op": lambda t, r: 150.0,
                                 "ops_per_second": lambda t, r: 20000 / (t / 1e3),
                                 "balance_error": lambda t, r, p=prim: 40.0 if p == "none" else 0.0},
                    traits)
    lat = time_metric("latency")
    for pin, scale in (("same", 1.0), ("split", 0.5), ("none", 4.0)):
        add(f"limits/futex_pingpong/pin:{pin}", "us", 5.4 * scale, lat)
        for chan, base in (("shm_ring", 0.33), ("pipe", 6.7), ("socketpair", 7.5)):
            for size in (8, 4096):
                add(f"ipc/{chan}/pingpong/peer:process/size:{size}/pin:{pin}", "us",
                    base * scale * (1 + size / 8192), lat, 0.05,
                    floor=f"limits/futex_pingpong/pin:{pin}")
            add(f"ipc/{chan}/throughput/peer:process/size:1048576/pin:{pin}", "us", 250 * scale,
                BYTES, 0.05, {"bytes_per_second": lambda t, r: 1048576 / (t * 1e-6)},
                floor="limits/memcpy/size:1048576")
        for request in ("append", "get"):
            add(f"ipc/manager/{request}/peer:process/pin:{pin}", "us", 14 * scale, lat, 0.05)
    add("limits/memcpy/size:1048576", "us", 100, BYTES, 0.02,
        {"bytes_per_second": lambda t, r: 1048576 / (t * 1e-6)})
    add("limits/fork_exit_wait", "us", 300, lat, 0.05)
    add("limits/thread_create_join", "us", 20, lat, 0.05)
    for name, us in (("thread_start_join", 31), ("process_start_join", 750),
                     ("process_pool_startup/workers:1", 1700),
                     ("process_pool_startup/workers:2", 2300)):
        add(f"spawn/{name}", "us", us, lat, 0.08)
    return b, desc


def v2_context(desc, reps):
    context = dict(CONTEXT, concbench_mode="quick")
    context["concbench"] = {"schema": 2, "mode": "quick", "repetitions": reps, "min_time": 0.0,
                            "load_avg_start": [0.2, 0.1, 0.1], "load_avg_end": [0.3, 0.1, 0.1],
                            "timer_slack_ns": 1, "start_method": "fork", "benchmarks": desc}
    return context


def write(name, benchmarks, context=CONTEXT):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump({"context": context, "benchmarks": benchmarks}, f, indent=1)
        f.write("\n")


def main():
    write("full.json", full_suite(random.Random(1)))
    write("base.json", small(random.Random(2)))
    write("new_slower.json", small(random.Random(3),
                                   slow=("sum_squares/threads/tasks:1000/inner:1000/workers:2", 1.2),
                                   skip="spawn/process_pool_startup/workers:2",
                                   extra="sum_squares/std_async/tasks:1000/inner:1000/workers:2"))
    write("new_same.json", small(random.Random(4)))
    failed = small(random.Random(5))
    failed.append({"name": "sum_squares/broken/real_time", "run_name": "sum_squares/broken/real_time",
                   "run_type": "iteration", "repetitions": 1, "repetition_index": 0,
                   "threads": 1, "iterations": 0, "real_time": 0, "cpu_time": 0,
                   "time_unit": "ns", "error_occurred": True,
                   "error_message": "verify failed: got 1 expected 2"})
    write("with_error.json", failed)
    v2, desc = v2_suite(random.Random(6))
    write("full_v2.json", v2, v2_context(desc, 6))
    # A benchmark that failed in one repetition of six: a failed benchmark.
    broken = "sum_squares/tbb/tasks:1000/inner:10000/workers:2"
    i = next(i for i, e in enumerate(v2) if e["name"].startswith(broken + "/")
             and e.get("repetition_index") == 3)
    v2[i] = {"name": v2[i]["name"], "run_name": v2[i]["run_name"], "run_type": "iteration",
             "repetitions": 6, "repetition_index": 3, "threads": 1, "iterations": 0,
             "real_time": 0, "cpu_time": 0, "time_unit": "ns", "error_occurred": True,
             "error_message": "verify failed: got 41 expected 42"}
    write("failed_v2.json", v2, v2_context(desc, 6))
    with open(os.path.join(HERE, "empty.json"), "w", encoding="utf-8"):
        pass
    with open(os.path.join(HERE, "corrupt.json"), "w", encoding="utf-8") as f:
        f.write('{"context": {"date": "2024"}, "benchmarks": [{"name": "x", "real_t')
    with open(os.path.join(HERE, "other_tool.json"), "w", encoding="utf-8") as f:
        json.dump({"machine_info": {"node": "x"}, "benchmarks": [
            {"group": None, "name": "test_sum", "stats": {"min": 0.1, "median": 0.2}}]}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
