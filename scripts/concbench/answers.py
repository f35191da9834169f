"""One-line answers to each workload's question, from the primary metrics and
their intervals (figures.py, stats.ranked): a "fastest" only where intervals
separate, otherwise a tie that names the tied; never a failed or racy
variant as an answer.

answers(run, workload, benches) returns the lines for one workload. Which
answers apply is decided by the data, so a workload added later is answered
too: a `serial` variant gives speedups per problem size, tiny tasks a cost
per task, wrong-result counters the bank's answers, placement parameters the
channel answers, anything else a listing from cheapest to dearest.
"""

from concbench import answer_bank, answer_ipc, facts, figures, fits, grouping, ranking, scaling
from concbench import stats
from concbench import names, units

QUESTIONS = {
    "sum_squares": "Is a pool faster than a loop?",
    "sum_squares_skewed": "Is a pool faster than a loop when the tasks are uneven?",
    "sleep_io": "Do threads help when the work is sleeping?",
    "bank": "Why is the balance wrong without a lock, and which lock is cheapest?",
    "ipc": "Which channel, and where should its two ends run?",
    "spawn": "What does starting a thread, a process or a pool cost?",
    "limits": "What are this machine's floors?",
}
DEFAULT_QUESTION = "How do the variants compare?"
# A map whose serial loop spends less than this per task has tiny tasks: the
# cost of handing a task over dominates, and reports show the cost per task.
TINY_TASK_S = 1e-6
LISTED = 8       # entries in a listing answer


def question(workload):
    return QUESTIONS.get(workload, DEFAULT_QUESTION)


def candidates(benches):
    """The benchmarks that may answer: not failed, not racy, not wrong."""
    return [b for b in benches if not b.failed and b.values and not facts.is_wrong(b)]


def _speedup_line(run, shape_text, members):
    est = {grouping.label(b, drop={k for k, _ in grouping.shape(b)}): figures.speedup(run, b)
           for b in members}
    est = {k: e for k, e in est.items() if figures.usable(e)}
    if not est:
        return None
    winners, _ = stats.ranked(est, "higher")
    best = est[winners[0]]

    def fmt(_, e):
        return f"at {units.fmt_ratio(e)} serial"
    if figures.has_interval(best) and best.lo > 1:
        text = ranking.winner_text(est, "higher", fmt, "fastest")
    else:
        closest = ranking.winner_text(est, "higher", fmt, "best")
        beaten = "no variant is clearly faster than serial" if best.value >= 1 \
            else "nothing beats serial"
        text = f"{beaten} ({closest})"
    return f"{shape_text}: {text}" if shape_text else text


def _fastest_line(shape_text, members):
    """Ranks by the primary metric where no serial baseline exists."""
    members = [b for b in members if b.metric == members[0].metric]
    m = members[0].metric
    est = {grouping.label(b, drop={k for k, _ in grouping.shape(b)}): figures.primary(b)
           for b in members}
    extra = {grouping.label(b, drop={k for k, _ in grouping.shape(b)}): figures.efficiency(b)
             for b in members}

    def fmt(label, e):
        eff = extra.get(label)
        note = f", efficiency {units.fmt_estimate(eff, '')}" if figures.usable(eff) else ""
        return f"{units.fmt_estimate(e, m.unit)}{note}"
    text = ranking.winner_text({k: e for k, e in est.items() if figures.usable(e)}, m.better,
                               fmt, "fastest")
    if text is None:
        return None
    return f"{shape_text}: {text}" if shape_text else text


def map_answers(run, benches):
    """Per problem size: speedup over serial, or the fastest where the size
    has no serial run; both only when the workload has a serial variant."""
    if not any(b.variant == "serial" for b in benches):
        return []
    ok = candidates(benches)
    shapes = dict(sorted(grouping.group_by(ok, grouping.shape).items(),
                         key=lambda item: grouping.params_key(item[0])))
    lines = []
    for shape, members in shapes.items():
        shape_text = grouping.params_text(shape) if len(shapes) > 1 else ""
        if any(figures.baseline(run, b) for b in members):
            line = _speedup_line(run, shape_text, [b for b in members if b.variant != "serial"])
        else:
            line = _fastest_line(shape_text, members)
        if line:
            lines.append(line)
    return lines + per_task_answers(run, ok) + scaling.answer_lines(run, benches)


def is_tiny(run, bench):
    """True when the serial run of this size spends under TINY_TASK_S a task."""
    base = bench if bench.variant == "serial" else figures.baseline(run, bench)
    cost = figures.per_task(base) if base is not None else None
    return figures.usable(cost) and cost.value < TINY_TASK_S


def per_task_answers(run, benches):
    """For tiny tasks, per kind of task: each variant's cheapest cost per
    task, serial included; the fitted slope where two task counts ran and the
    slope is positive (noise can tilt a fit through too few points), else
    time / tasks at the largest count."""
    tiny = [b for b in benches if is_tiny(run, b)]
    lines = []
    works = grouping.group_by(tiny, work_of)
    for work in sorted(works, key=grouping.params_key):
        members = works[work]
        fitted = {k: f.per_task for k, f in fits.task_fits(members).items()
                  if f.per_task.value > 0}
        best = {}
        for b in members:
            key = grouping.series_key(b, ("tasks",))
            e = fitted.get(key) or figures.per_task(b)
            if figures.usable(e) and (b.variant not in best or e.value < best[b.variant][1].value):
                best[b.variant] = (grouping.label(b, drop={k for k, _ in grouping.shape(b)}), e)
        if not best:
            continue
        costs = dict(best.values())
        text = ranking.tiered_text(costs, "lower", lambda _, e: units.fmt_estimate(e, "s"),
                                   len(costs))
        how = "fitted slope over task counts" if fitted else "time / tasks"
        where = grouping.params_text(work)
        lines.append(f"tiny tasks{f' ({where})' if where else ''}: cost per task ({how}), "
                     f"cheapest form of each variant: {text}")
    return lines


work_of = fits.work_of


def listing_answers(benches):
    """Cheapest to dearest by the primary metric, per metric, with intervals
    and in tiers: variants whose intervals overlap are a tie (ranking.tiers)."""
    ok = candidates(benches)
    lines = []
    for metric, members in grouping.group_by(ok, lambda b: b.metric).items():
        est = {grouping.label(b): figures.primary(b) for b in members}
        est = {k: e for k, e in est.items() if figures.usable(e)}
        if not est:
            continue
        shown = ranking.tiered_text(est, metric.better,
                                    lambda _, e: units.fmt_estimate(e, metric.unit), LISTED)
        word = "highest" if metric.better == "higher" else "cheapest"
        lines.append(f"{metric.name}, {word} first: {shown}")
    return lines


def cpython_twin(bench, benches):
    """The C++ row a CPython row (impl:cpython) pairs with, and the task
    counts (CPython's, C++'s) when the figures compare per task, else None:
    the same variant, modes and parameters (a name without start: is the
    harness's fork); or, for a row that ran `scale` times fewer tasks than
    C++ (its counter), the row that differs only by that task count."""
    def params(b, drop=()):
        p = {k: v for k, v in b.params.items() if k != "impl" and k not in drop}
        if p.get("start") == names.DEFAULT_START:
            del p["start"]
        return p
    others = [o for o in benches if "impl" not in o.params and o.variant == bench.variant
              and o.modes == bench.modes and not o.failed]
    want = params(bench)
    twin = next((o for o in others if params(o) == want), None)
    if twin is not None:
        return twin, None
    scale, tasks = bench.counter("scale"), names.num(bench.params.get("tasks"))
    if not scale or not tasks or bench.metric.name != "real_time":
        return None, None
    want = params(bench, ("tasks",))
    twin = next((o for o in others if params(o, ("tasks",)) == want
                 and names.num(o.params.get("tasks")) == tasks * scale), None)
    return (twin, (tasks, tasks * scale)) if twin is not None else (None, None)


def cpython_answers(run, benches):
    """Each CPython row (impl:cpython) beside its C++ counterpart: both
    figures and CPython's cost as a multiple of C++'s, with its interval
    (per task when CPython ran fewer tasks)."""
    lines = []
    for b in grouping.ordered(candidates(benches)):
        if b.params.get("impl") != "cpython":
            continue
        twin, per_task = cpython_twin(b, benches)
        if twin is None:
            continue
        ours, theirs, note = b.values, twin.values, ""
        mine, other = figures.primary(b), figures.primary(twin)
        if per_task:
            ours = [v / per_task[0] for v in ours]
            theirs = [v / per_task[1] for v in theirs]
            mine, other = figures.per_task(b), figures.per_task(twin)
            note = f" per task (CPython ran {per_task[0]:g} tasks, C++ {per_task[1]:g})"
        r = figures.cost_ratio(ours, theirs, b.metric)
        lines.append(f"CPython {grouping.label(b, drop=('impl',))}{note}: "
                     f"{units.fmt_estimate(mine, b.metric.unit)} against "
                     f"C++ {units.fmt_estimate(other, twin.metric.unit)} "
                     f"({units.fmt_ratio(r)} the C++ cost)")
    return lines


def start_method_answers(run, benches):
    """Each C++ row with another start method than fork (start:forkserver)
    beside its fork twin (the same name without start:): both figures, its
    cost as a multiple of the fork row's with the interval, and its floor
    ratio when it names a floor."""
    ok = grouping.ordered(b for b in candidates(benches) if "impl" not in b.params)

    def start(b):
        return b.params.get("start", names.DEFAULT_START)

    def rest(b):
        return (b.variant, b.modes, {k: v for k, v in b.params.items() if k != "start"})
    lines = []
    for b in ok:
        if start(b) == names.DEFAULT_START:
            continue
        twin = next((o for o in ok if start(o) == names.DEFAULT_START and rest(o) == rest(b)),
                    None)
        if twin is None:
            continue
        r = figures.cost_ratio(b.values, twin.values, b.metric)
        line = (f"{grouping.label(b)}: {units.fmt_estimate(figures.primary(b), b.metric.unit)}"
                f" against {names.DEFAULT_START} "
                f"{units.fmt_estimate(figures.primary(twin), twin.metric.unit)}"
                f" ({units.fmt_ratio(r)} the {names.DEFAULT_START} cost)")
        floor = figures.floor_ratio(run, b)
        if figures.usable(floor):
            line += f"; {units.fmt_ratio(floor)} its floor {b.floor}"
        lines.append(line)
    return lines


def sleep_floor_answers(run, benches):
    """The serial loop's sleeping against the machine's own sleep: its
    efficiency beside the floor's (one sleep alone), per shape, each with its
    interval (figures.efficiency: the kind's estimator)."""
    lines = []
    for b in sorted(candidates(benches), key=lambda b: grouping.params_key(b.params)):
        floor = figures.floor_bench(run, b)
        if b.variant != "serial" or b.metric.kind != "sleep" or floor is None:
            continue
        ratio = figures.floor_ratio(run, b)
        mine, its = figures.efficiency(b), figures.efficiency(floor)
        if ratio is None or not figures.usable(mine) or not figures.usable(its):
            continue
        lines.append(f"{grouping.params_text(b.params)}: serial efficiency "
                     f"{units.fmt_estimate(mine, '')} ({stats.estimator_name(b.metric.kind)}) "
                     f"against one sleep's {units.fmt_estimate(its, '')} "
                     f"({floor.name}): {units.fmt_ratio(ratio)} its floor")
    return lines


def status_lines(benches):
    """Failures and unstable results, one line each when there are any."""
    lines = []
    failed = [b for b in benches if b.failed]
    if failed:
        first = failed[0]
        lines.append(f"FAILED: {len(failed)} benchmark{'s' if len(failed) > 1 else ''} "
                     f"(no figure reported; first: {grouping.label(first)}: {first.errors[0]})")
    shaky = [b for b in benches if figures.unstable(figures.primary(b))]
    if shaky:
        lines.append(f"unstable: {len(shaky)} of {len(benches)} results have an interval wider "
                     f"than {stats.UNSTABLE_WIDTH * 100:g}% (marked ~)")
    return lines


def answers(run, workload, benches):
    """The answer lines of one workload (status lines last)."""
    lines = []
    if any(facts.is_racy(b) or facts.lost_updates(b) for b in benches) or \
            any("ops_per_second" in b.counters for b in benches):
        lines += answer_bank.answers(benches)
    elif any(facts.placement(b) and b.modes for b in benches):
        lines += answer_ipc.answers(run, benches)
    else:
        lines += map_answers(run, benches)
    if not lines and candidates(benches):
        lines += listing_answers(benches)
    lines += sleep_floor_answers(run, benches)
    lines += start_method_answers(run, benches)
    lines += cpython_answers(run, benches)
    if not candidates(benches):
        lines.append("every benchmark failed: nothing to answer")
    return lines + status_lines(benches)
