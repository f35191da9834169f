"""What a report may say about a benchmark beyond its figures: its traits
(from the result JSON, schema 2) and the few facts that older files only
carry in names. Every fallback on a name lives here and nowhere else."""

from concbench import names

# Files written before schema 2 carry no traits: the bank primitive that takes
# no lock is known by name. (workload, variant) pairs.
RACY_WITHOUT_TRAITS = {("bank", "none")}
# The parameters that say where the two ends of a channel run.
PLACEMENT_KEYS = ("pin", "placement", "affinity")
PLACEMENT_MEANING = {"same": "both ends on one CPU", "split": "ends on two CPUs",
                     "none": "the scheduler places them"}
# Counters that say a shared result came out wrong: lost_updates (bank's
# exact count, schema 2) and balance_error (how far the balance is off: a
# lower bound on the lost updates, all that older files carry).
WRONG_RESULT_COUNTERS = ("lost_updates", "balance_error")


def trait(bench, key):
    """A trait as a Python value: True/False for "true"/"false", the string
    otherwise, None when the benchmark does not declare it."""
    value = bench.traits.get(key)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def is_racy(bench):
    """True when the variant gives no exact result by design (bank's `none`):
    such a variant is never a "fastest correct" answer, whatever its balance."""
    exact = trait(bench, "exact")
    if exact is not None:
        return exact is False
    return (bench.workload, bench.variant) in RACY_WITHOUT_TRAITS


# The trait that says a bank primitive is a mutual-exclusion lock: `is_lock`
# in the C++ binary's traits, `lock` in the MPI binary's.
LOCK_TRAITS = ("is_lock", "lock")


def is_lock(bench):
    """True for a lock (lock and unlock), False for an atomic or no lock,
    None when the benchmark's traits do not say (CPython rows, old files)."""
    for key in LOCK_TRAITS:
        value = trait(bench, key)
        if isinstance(value, bool):
            return value
    return None


def counts_lost_updates(bench):
    """True when the benchmark counts its lost updates exactly."""
    return bool(bench.counters.get("lost_updates"))


def lost_updates(bench):
    """The largest wrong-result counter over the repetitions (0 when exact)."""
    worst = 0.0
    for key in WRONG_RESULT_COUNTERS:
        values = bench.counters.get(key) or []
        worst = max([worst] + [abs(v) for v in values])
    return worst


def is_wrong(bench):
    """Racy by design, or a repetition ended with a wrong shared result."""
    return is_racy(bench) or lost_updates(bench) > 0


def placement(bench):
    """'pin:split' and the like, or None when placement is not a parameter."""
    for key in PLACEMENT_KEYS:
        if key in bench.params:
            return f"{key}:{bench.params[key]}"
    return None


def placement_order(bench):
    """Sort key: one CPU, two CPUs, the scheduler's choice, then the rest."""
    p = placement(bench)
    value = p.split(":", 1)[1] if p else ""
    order = list(PLACEMENT_MEANING)
    return (order.index(value), "") if value in order else (len(order), value)


def placement_text(bench):
    """The placement for people: 'pin:split (ends on two CPUs)'."""
    p = placement(bench)
    if p is None:
        return "any placement"
    value = p.split(":", 1)[1]
    return f"{p} ({PLACEMENT_MEANING[value]})" if value in PLACEMENT_MEANING else p


def workers(bench):
    """The worker count (an MPI row's ranks) as a number, or None."""
    return workers_of(bench.params)


def workers_of(params):
    """The worker count in a parameter dict (workers, or ranks), or None."""
    for key in names.WORKER_PARAMS:
        if key in params:
            return names.num(params[key])
    return None


def one_per_task(bench):
    """True for the form that runs one worker per task (workers == tasks)."""
    w, t = workers(bench), names.num(bench.params.get("tasks"))
    return w is not None and t is not None and w == t and t > 2
