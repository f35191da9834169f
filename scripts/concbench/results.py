"""Loading Google Benchmark JSON written by concbench: the context, and per
benchmark every repetition's time and counters, under the contract names."""

import json
import math
import statistics
from typing import NamedTuple

from concbench.cli import CbError
from concbench.names import SPLIT_PARAMS, contract_name, parse_name

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Google Benchmark's own keys; every other numeric key of an entry is a user counter.
GOOGLE_KEYS = {
    "name", "run_name", "run_type", "family_index", "per_family_instance_index",
    "repetitions", "repetition_index", "threads", "iterations", "real_time",
    "cpu_time", "time_unit", "aggregate_name", "aggregate_unit", "error_occurred",
    "error_message", "label", "big_o", "rms", "complexity_n",
    "concbench_round",  # written by to_json: which run of a merged set
}


class Metric(NamedTuple):
    """A benchmark's primary metric, as the binary declares it (schema 2):
    `name` is "real_time" (Google Benchmark's time per iteration, read in
    seconds) or a counter; `better` is "lower" or "higher"; `kind` picks the
    estimator (see stats.py)."""
    name: str
    unit: str
    better: str
    kind: str


def legacy_metric(workload):
    """The metric of a benchmark in a file written before schema 2."""
    kind = "cpu" if workload.startswith("sum_squares") else (
        "sleep" if workload == "sleep_io" else "latency")
    return Metric("real_time", "s", "lower", kind)


class Bench:
    """One benchmark: its parsed name, its declared metric and traits, and
    every repetition's time, counters and primary-metric value. `rounds[i]`
    says which run (of a merged set) repetition i came from."""

    def __init__(self, name, described=None):
        self.name = contract_name(name)
        self.workload, self.variant, self.modes, self.params = parse_name(self.name)
        described = described or {}
        m = described.get("metric")
        self.metric = Metric(m["name"], m.get("unit", ""), m.get("better", "lower"),
                             m.get("kind", "latency")) if m else legacy_metric(self.workload)
        self.described = bool(m)  # else the metric is legacy_metric's guess
        self.traits = described.get("traits") or {}
        self.floor = described.get("floor") or None
        self.times_ns = []
        self.values = []
        self.rounds = []
        self.counters = {}
        self.errors = []

    @property
    def failed(self):
        """A benchmark with any failed repetition reports no figure."""
        return bool(self.errors)

    def add_repetition(self, entry, ns, round_index=0):
        """Records one repetition (a Google Benchmark entry whose time is ns)."""
        self.times_ns.append(ns)
        for key, value in entry.items():
            if key not in GOOGLE_KEYS and _is_number(value):
                self.counters.setdefault(key, []).append(float(value))
        if self.metric.name == "real_time":
            self.values.append(ns * 1e-9)
        elif _is_number(entry.get(self.metric.name)):
            self.values.append(float(entry[self.metric.name]))
        else:
            self.errors.append(f"repetition without its metric {self.metric.name}")
            return
        self.rounds.append(round_index)

    @property
    def median_ns(self):
        return statistics.median(self.times_ns) if self.times_ns else math.nan

    @property
    def cv(self):
        """Coefficient of variation of the repetitions (nan with fewer than 2)."""
        t = self.times_ns
        if len(t) < 2 or statistics.fmean(t) == 0:
            return math.nan
        return statistics.stdev(t) / statistics.fmean(t)

    def counter(self, key):
        values = self.counters.get(key)
        return statistics.median(values) if values else None

    def serial_key(self):
        """Identifies the serial baseline: same workload, params minus split params."""
        return (self.workload,
                tuple((k, v) for k, v in self.params.items() if k not in SPLIT_PARAMS))

    def label(self, drop=()):
        """The name without the workload and without the given params."""
        segs = [self.variant, *self.modes]
        segs += [f"{k}:{v}" for k, v in self.params.items() if k not in drop]
        return "/".join(s for s in segs if s)


class Run:
    """A loaded concbench.json: context plus benchmarks by contract name."""

    def __init__(self, path, context, benches):
        self.path = path
        self.context = context
        self.benches = benches

    def workloads(self):
        seen = {}
        for b in self.benches.values():
            seen.setdefault(b.workload, []).append(b)
        return seen

    def serial_baseline(self, bench):
        """The serial benchmark whose params equal bench's minus the split params."""
        if not hasattr(self, "_serial"):
            self._serial = {b.serial_key(): b for b in self.benches.values()
                            if b.variant == "serial" and b.times_ns}
        return self._serial.get(bench.serial_key())

    def speedups(self, bench):
        """(median speedup, per-repetition speedups) over serial, or None."""
        base = self.serial_baseline(bench)
        if base is None or not bench.times_ns:
            return None
        ref = base.median_ns
        return ref / bench.median_ns, [ref / t for t in bench.times_ns if t > 0]


def _load_json(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise CbError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CbError(f"{path} is not a JSON file (binary content)") from None
    if not text.strip():
        raise CbError(f"{path} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CbError(f"{path} is not valid JSON ({e.msg} at line {e.lineno} "
                      f"column {e.colno})") from None


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def load_run(path, allow_failed=False):
    """Loads and validates a Google Benchmark JSON file; raises CbError.
    A file in which every benchmark failed is refused unless allow_failed
    (the gate reports those benchmarks as failed)."""
    data = _load_json(path)
    entries = data.get("benchmarks") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CbError(f"{path} is not Google Benchmark JSON (no 'benchmarks' list)")
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    described = _described(context)
    benches, medians = {}, {}

    def bench(run_name):
        key = contract_name(run_name)
        if key not in benches:
            benches[key] = Bench(run_name, described.get(key))
        return benches[key]

    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str):
            raise CbError(f"{path} is not Google Benchmark JSON (entry {i} has no name)")
        run_name = e.get("run_name") if isinstance(e.get("run_name"), str) else e["name"]
        kind = e.get("run_type", "iteration")
        if e.get("error_occurred"):
            bench(run_name).errors.append(str(e.get("error_message", "error")))
            continue
        unit = e.get("time_unit", "ns")
        if not _is_number(e.get("real_time")) or not isinstance(unit, str) or unit not in UNIT_NS:
            raise CbError(f"{path} is not Google Benchmark JSON (entry {i} "
                          f"'{e['name']}' has no real_time/time_unit)")
        ns = e["real_time"] * UNIT_NS[unit]
        if kind == "aggregate":
            if e.get("aggregate_name") == "median":
                medians[contract_name(run_name)] = (run_name, ns, e)
            continue
        round_index = e.get("concbench_round", 0)
        bench(run_name).add_repetition(e, ns, round_index if isinstance(round_index, int) else 0)
    # Files written with aggregates only still give one sample per benchmark.
    for key, (run_name, ns, e) in medians.items():
        b = bench(run_name)
        if not b.times_ns:
            b.add_repetition(e, ns)
    if not any(b.times_ns for b in benches.values()):
        failed = [b for b in benches.values() if b.errors]
        if failed and allow_failed:
            return Run(path, context, benches)
        if failed:
            raise CbError(f"{path}: every benchmark failed (first: {failed[0].name}: "
                          f"{failed[0].errors[0]})")
        raise CbError(f"{path} holds no benchmark results")
    return Run(path, context, benches)


def failed_run(path, names, message):
    """A run in which each of `names` failed with `message` (a binary that
    crashed wrote no results for them)."""
    benches = {}
    for name in names:
        b = benches[contract_name(name)] = Bench(name)
        b.errors.append(message)
    return Run(path, {}, benches)


def own_context(context):
    """context.concbench: what the binary records about its run (schema 2)."""
    own = context.get("concbench")
    return own if isinstance(own, dict) else {}


def _described(context):
    """{name: description} from context.concbench.benchmarks (schema 2)."""
    items = own_context(context).get("benchmarks")
    if not isinstance(items, list):
        return {}
    return {d["name"]: d for d in items if isinstance(d, dict) and isinstance(d.get("name"), str)
            and isinstance(d.get("metric"), dict) and isinstance(d["metric"].get("name"), str)}


def merge_runs(runs):
    """Pools the repetitions of several runs of the same suite; each run's
    repetitions keep its index in `rounds`."""
    merged = {}
    for index, run in enumerate(runs):
        for name, b in run.benches.items():
            first = name not in merged
            m = merged.setdefault(name, Bench(name))
            # A crashed chunk's failed row knows no metric: a later round's
            # described one replaces its legacy_metric guess.
            if first or (b.described and not m.described):
                m.metric, m.traits, m.floor = b.metric, b.traits, b.floor
                m.described = b.described
            m.times_ns += b.times_ns
            m.values += b.values
            m.rounds += [index] * len(b.values)
            m.errors += b.errors
            for k, v in b.counters.items():
                m.counters.setdefault(k, []).extend(v)
    return Run(runs[0].path, runs[0].context, merged)


def common_benchmarks(a, b):
    """Names in both runs, plus the names only in a and only in b (a failed
    benchmark is in its run: it is compared as failed, never as missing).
    Raises CbError when nothing is common."""
    common = [n for n in a.benches if n in b.benches]
    only_a = [n for n in a.benches if n not in b.benches]
    only_b = [n for n in b.benches if n not in a.benches]
    if not common:
        raise CbError(f"{a.path} and {b.path} have no benchmark in common")
    return common, only_a, only_b


def to_json(run):
    """A run as Google Benchmark-shaped JSON (repetitions in ns), so merged or
    generated runs can be fed back to plot.py, compare.py and export.py."""
    entries = []
    for b in run.benches.values():
        for i, t in enumerate(b.times_ns):
            e = {"name": b.name, "run_name": b.name, "run_type": "iteration",
                 "repetitions": len(b.times_ns), "repetition_index": i, "threads": 1,
                 "iterations": 1, "real_time": t, "cpu_time": t, "time_unit": "ns"}
            e.update({k: v[i] for k, v in b.counters.items() if i < len(v)})
            if i < len(b.rounds):
                e["concbench_round"] = b.rounds[i]
            entries.append(e)
        for msg in b.errors:
            entries.append({"name": b.name, "run_name": b.name, "run_type": "iteration",
                            "error_occurred": True, "error_message": msg})
    # A merged run's context is its first run's, which describes only that
    # run's benchmarks; every benchmark's own metric, traits and floor are
    # written back, or reloading would judge the others by legacy_metric.
    context = dict(run.context)
    context["concbench"] = dict(own_context(context), benchmarks=[
        {"name": b.name, "metric": b.metric._asdict(), "traits": b.traits, "floor": b.floor}
        for b in run.benches.values()])
    return {"context": context, "benchmarks": entries}
