"""Checks a concbench JSON against the binary's own --list=json: the context
keys and context.concbench (schema 2, the listed benchmarks), the contract
names, every listed benchmark run with every repetition kept, no failed run,
the primary metric and cpu_seconds on every run, every floor listed, every
channel with the peers its traits allow, every map variant (the
benchmarks whose traits say where they run) in every map workload, every
bank primitive with its traits (threads, and processes exactly where the
traits say process-shared), every named floor a listed limits benchmark, and
the counters sleep_io and bank runs must carry."""
import json
import re
import sys

CONTEXT_KEYS = [
    "concbench_revision", "cpu_model", "logical_cores", "affinity", "kernel",
    "compiler", "build_type", "boost_version", "tbb_version", "fmt_version",
    "benchmark_version", "concbench_mode",
]
CONCBENCH_KEYS = [
    "schema", "mode", "repetitions", "min_time", "load_avg_start",
    "load_avg_end", "timer_slack_ns", "start_method", "benchmarks",
]
# <workload>/<variant>[/<mode>...]/<key>:<value>...
NAME = re.compile(r"^[a-z_]+/[a-z_]+(/[a-z_]+)*(/[a-z_]+:[A-Za-z0-9_.]+)*$")
KINDS = {"cpu", "latency", "throughput", "rate", "sleep"}

SLEEP_IO_COUNTERS = [
    "makespan", "ideal_makespan", "efficiency", "overhead_per_task",
    "threads_created", "processes_created",
]

BANK_COUNTERS = [
    "ops_per_second", "ns_per_op", "round_ops_per_second", "contended_share",
    "fairness_min", "fairness_max", "fairness", "final_balance",
    "expected_balance", "balance_error", "lost_updates",
]
# The traits every bank primitive declares (its row of the traits table).
BANK_TRAITS = ["is_lock", "process_shared", "exact", "reference"]


def check_listing(listed):
    problems = []
    names = {spec["name"] for spec in listed}
    for spec in listed:
        name = spec["name"]
        if not NAME.match(name):
            problems.append(f"name breaks the contract: {name}")
        parts = [spec["workload"], spec["variant"], *spec["modes"]]
        parts += [f"{k}:{v}" for k, v in spec["params"].items()]
        if "/".join(parts) != name:
            problems.append(f"{name}: its parts make {'/'.join(parts)}")
        metric = spec["metric"]
        if not metric["name"] or not metric["unit"] or \
                metric["better"] not in ("lower", "higher") or metric["kind"] not in KINDS:
            problems.append(f"{name}: bad metric {metric}")
    # Every channel (the ipc benchmarks whose traits describe a channel) with
    # a thread peer, and with a process peer where it works across processes.
    channels = {s["variant"]: s["traits"]["across_processes"] == "true"
                for s in listed if "across_processes" in s["traits"]}
    for channel, across in sorted(channels.items()):
        peers = {s["params"].get("peer") for s in listed
                 if s["workload"] == "ipc" and s["variant"] == channel}
        wanted = {"thread", "process"} if across else {"thread"}
        if peers != wanted:
            problems.append(f"ipc/{channel} runs with peers {sorted(peers)}, "
                            f"not {sorted(wanted)}")
    problems += check_floors(listed)
    return problems


def check_bank(listed):
    """Every bank primitive, with its traits, runs with threads, and with
    processes exactly when its traits say it is process-shared."""
    problems = []
    bank = [s for s in listed if s["workload"] == "bank"]
    primitives = {}
    for spec in bank:
        missing = [key for key in BANK_TRAITS if spec["traits"].get(key) not in ("true", "false")]
        if missing:
            problems.append(f"{spec['name']} lacks traits {missing}")
            continue
        primitives.setdefault(spec["variant"], spec["traits"])
        if primitives[spec["variant"]] != spec["traits"]:
            problems.append(f"{spec['name']}: traits differ from other bank/{spec['variant']} rows")
    for primitive, traits in primitives.items():
        modes = {s["modes"][0] for s in bank if s["variant"] == primitive and s["modes"]}
        wanted = {"threads"} | ({"processes"} if traits["process_shared"] == "true" else set())
        problems += [f"missing bank/{primitive}/{m}" for m in sorted(wanted - modes)]
        problems += [f"bank/{primitive}/{m} runs but its traits do not allow it"
                     for m in sorted(modes - wanted)]
    return problems


def check_floors(listed):
    """Every floor a benchmark names is a listed limits benchmark judged in
    the same direction, so the scripts can print the ratio to it."""
    by_name = {spec["name"]: spec for spec in listed}
    problems = []
    for spec in listed:
        floor = spec.get("floor")
        if floor is None:
            continue
        target = by_name.get(floor)
        if target is None:
            problems.append(f"{spec['name']}: its floor {floor} is not listed")
        elif target["workload"] != "limits":
            problems.append(f"{spec['name']}: its floor {floor} is not a limit")
        elif target["metric"]["better"] != spec["metric"]["better"]:
            problems.append(f"{spec['name']}: its floor {floor} is judged the other way")
    return problems


def unmeasurable_limit(name, run, context):
    """A limit this machine cannot have (two CPUs where it has one) fails
    with its reason instead of being left out; that failure is expected."""
    one_cpu = str(context.get("logical_cores")) == "1"
    return (name.startswith("limits/") and one_cpu and
            "needs two CPUs" in run.get("error_message", ""))


def main(path, listing_path):
    with open(path) as f:
        data = json.load(f)
    with open(listing_path) as f:
        listed = json.load(f)
    problems = check_listing(listed)
    context = data["context"]
    problems += [f"context lacks {key}" for key in CONTEXT_KEYS if not context.get(key)]
    own = context.get("concbench", {})
    problems += [f"context.concbench lacks {key}" for key in CONCBENCH_KEYS if key not in own]
    if own.get("schema") != 2:
        problems.append(f"context.concbench.schema is {own.get('schema')}, not 2")
    if own.get("benchmarks") != listed:
        problems.append("context.concbench.benchmarks differs from --list=json")
    by_name = {spec["name"]: spec for spec in listed}
    runs = [b for b in data["benchmarks"] if b["run_type"] == "iteration"]
    counts = {}
    for run in runs:
        # family_index is the registration order, which is the listed order.
        spec = listed[run["family_index"]]
        name = spec["name"]
        counts[name] = counts.get(name, 0) + 1
        if not run["run_name"].startswith(name + "/"):
            problems.append(f"{run['run_name']} is not listed as {name}")
        if run.get("error_occurred"):
            if not unmeasurable_limit(name, run, context):
                problems.append(f"{name} failed: {run.get('error_message')}")
            continue
        wanted = ["cpu_seconds"]
        if spec["metric"]["name"] != "real_time":
            wanted.append(spec["metric"]["name"])
        if name.startswith("sleep_io/"):
            wanted += SLEEP_IO_COUNTERS
        elif spec["workload"] == "bank":
            wanted += BANK_COUNTERS
        problems += [f"{name} lacks counter {key}" for key in wanted if key not in run]
        if spec["workload"] == "bank" and spec["traits"].get("exact") == "true" and \
                run.get("lost_updates", 0) != 0:
            problems.append(f"{name}: an exact primitive lost {run['lost_updates']} updates")
    for name in by_name:
        if counts.get(name) != own.get("repetitions"):
            problems.append(f"{name} has {counts.get(name, 0)} repetitions, "
                            f"not {own.get('repetitions')}")
    # Every map variant in every workload that maps.
    map_specs = [s for s in listed if "runs_in" in s["traits"]]
    variants = {s["variant"] for s in map_specs}
    for workload in sorted({s["workload"] for s in map_specs}):
        present = {s["variant"] for s in map_specs if s["workload"] == workload}
        problems += [f"missing {workload}/{v}" for v in sorted(variants - present)]
    problems += check_bank(listed)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    print(f"{len(by_name)} benchmarks, {len(runs)} runs, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
