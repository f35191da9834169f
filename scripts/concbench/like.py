"""Like with like: what two runs must share for the gate to compare them
(mode, machine, build, repetitions and min_time per run of the binary, most
of their benchmarks), refused with one line unless forced."""

import os
import re

from concbench import cli, results

# What must match for two runs to be compared: the context's machine and
# mode, and context.concbench's measuring per run of the binary (the best of
# 8 repetitions sits below the best of 5, so unlike counts bias the verdict).
LIKE_KEYS = ("concbench_mode", "cpu_model", "logical_cores", "build_type")
LIKE_RUN_KEYS = ("repetitions", "min_time")
# Two stored runs must share at least this part of their benchmarks: a change
# that adds or removes a few is still judged (they are listed), a filtered run
# against the whole suite is refused.
MIN_SHARED = 0.5


def context_problems(base_context, new_context):
    """What differs between two runs' contexts (a key either lacks is not compared)."""
    base_own, new_own = results.own_context(base_context), results.own_context(new_context)
    pairs = [(k, base_context.get(k), new_context.get(k)) for k in LIKE_KEYS]
    pairs += [(k, base_own.get(k), new_own.get(k)) for k in LIKE_RUN_KEYS]
    return [f"{k} differs ({a} vs {b})" for k, a, b in pairs
            if a is not None and b is not None and a != b]


def set_problems(base_names, new_names):
    """The benchmark sets differ too much (none in common is refused later,
    even when forced: there is nothing to compare)."""
    shared, union = set(base_names) & set(new_names), set(base_names) | set(new_names)
    if shared and len(shared) < MIN_SHARED * len(union):
        return [f"the benchmark sets differ (only {len(shared)} of {len(union)} benchmarks "
                "in both)"]
    return []


def refuse_unlike(problems, force):
    """Refuses runs that cannot be compared; with force, returns warnings."""
    if problems and not force:
        raise cli.CbError("the runs cannot be compared: " + "; ".join(problems)
                          + " (use --force to compare anyway)")
    return [f"warning: comparing unlike runs: {p}" for p in problems]


# Google Benchmark flags that win over what the binary records in
# context.concbench, so a run given them cannot be checked like with like.
UNRECORDED_FLAGS = ("--benchmark_min_time", "--benchmark_repetitions")


def unrecorded_problems(args):
    """A problem for each argument that changes the run behind the binary's
    record (its min_time and repetitions are what the mode and --repetitions
    say)."""
    return [f"{a} overrides what the binary records, so the new rounds cannot be checked "
            "against the baseline (use --repetitions, or a baseline run with the same flag)"
            for a in args if a.split("=", 1)[0] in UNRECORDED_FLAGS]


def require_repetitions(run):
    measured = [b for b in run.benches.values() if b.values and not b.failed]
    if measured and not any(len(b.values) > 1 for b in measured):
        raise cli.CbError(f"{run.path} has no repetitions (one value per benchmark): "
                          "the gate needs a run written with its repetitions")


def check_like(base, new, force, unlisted_new=()):
    """Refuses runs that cannot be compared; with force, returns warnings.
    unlisted_new: names the new binary has but did not run."""
    require_repetitions(base)
    require_repetitions(new)
    return refuse_unlike(context_problems(base.context, new.context)
                         + set_problems(base.benches, [*new.benches, *unlisted_new]), force)


def recorded_repetitions(run):
    """The repetitions per run of the binary a stored run recorded (a file
    without the record: as many as its benchmarks have in their first run;
    None when it has none)."""
    recorded = results.own_context(run.context).get("repetitions")
    if isinstance(recorded, int) and recorded > 0:
        return recorded
    counts = [b.rounds.count(0) for b in run.benches.values() if b.values and not b.failed]
    return max(set(counts), key=counts.count) if counts else None


def planned_context(mode, repetitions):
    """What a run of the binary here will record, as far as it is known
    before it runs (the binary records the rest: check its first chunk).
    repetitions 0: the suite's own, not known here."""
    context = {"concbench_mode": mode, "logical_cores": str(len(os.sched_getaffinity(0)))}
    if repetitions:
        context["concbench"] = {"repetitions": repetitions}
    return context


def restricted(run, pattern):
    """The run's benchmarks that match --filter."""
    if not pattern:
        return run
    return results.Run(run.path, run.context,
                       {n: run.benches[n] for n in chosen(run.benches, pattern)})


def chosen(names, pattern):
    """The names --filter's regex finds (all without one)."""
    if not pattern:
        return list(names)
    return [n for n in names if re.search(pattern, n)]
