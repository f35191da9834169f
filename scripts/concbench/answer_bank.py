"""The bank's answers: what the variant without a lock loses, whether every
lock kept the balance exact, which correct primitive is cheapest, alone and
under contention, and which lock (facts.is_lock, from the traits) is
cheapest under contention (ranked on the primary metric with intervals)."""

from concbench import facts, figures, grouping, names, ranking, units

# The parameters of the plain throughput forms (no critical section, no
# sleep); an MPI row counts its workers in `ranks`.
PLAIN_FORM = {"ops", "timed_ms", *names.WORKER_PARAMS}


def answers(benches):
    return racy_lines(benches) + cheapest_lines(benches)


def _updates(bench):
    """Updates all workers make in one round (None for time-boxed forms)."""
    ops, workers = names.num(bench.params.get("ops")), facts.workers(bench) or 1
    return ops * workers if ops else None


def racy_lines(benches):
    racy = [b for b in benches if facts.is_racy(b) and not b.failed]
    others = [b for b in benches if not facts.is_racy(b) and not b.failed]
    lines = []
    if racy:
        losing = [b for b in racy if facts.lost_updates(b) > 0]
        names_ = sorted({b.variant for b in racy})
        if losing:
            def share(b):
                total = _updates(b)
                return facts.lost_updates(b) / total if total else 0.0
            worst = max(losing, key=lambda b: (share(b), facts.lost_updates(b)))
            total = _updates(worst)
            of = f" of {units.fmt_num(total)} ({share(worst) * 100:.2g}%)" if total else ""
            lost = units.fmt_num(facts.lost_updates(worst))
            what = (f"lost {lost} updates{of}" if facts.counts_lost_updates(worst)
                    else f"ended {lost} off{of}")
            lines.append(
                f"without a lock ({', '.join(names_)}) updates were lost in {len(losing)} of "
                f"{len(racy)} forms; worst: {grouping.label(worst)} {what}: the "
                "read-modify-write of one worker overwrites the other's")
        else:
            lines.append(f"without a lock ({', '.join(names_)}) no update was lost in this run "
                         "(one worker, or the race did not strike): it is still not correct")
    wrong = [b for b in others if facts.lost_updates(b) > 0]
    if wrong:
        lines.append("WRONG: " + ", ".join(
            f"{grouping.label(b)} ended {units.fmt_num(facts.lost_updates(b))} off"
            for b in wrong))
    elif others and any("balance_error" in b.counters for b in others):
        lines.append("every primitive with a lock or an atomic ended at exactly the "
                     "expected balance")
    return lines


def _fmt(bench):
    """How a bank figure reads: the rate, and the primary metric where it is
    per update (ns_per_op)."""
    def fmt(_, e):
        rate = figures.rate(bench)
        if bench.metric.name == "real_time" and figures.usable(rate):
            return units.fmt_estimate(rate, "ops/s")
        text = units.fmt_estimate(e, bench.metric.unit)
        if bench.metric.name == "ns_per_op":
            text += " per update"
        if figures.usable(rate) and bench.metric.unit != "ops/s":
            text += f" ({units.fmt_estimate(rate, 'ops/s')})"
        return text
    return fmt


def _workers(key):
    return facts.workers_of(dict(key[1])) or 1


def _pick(groups, contended):
    """The group that best answers 'cheapest': most primitives, then the
    fewest workers above one (or exactly one), then the most operations."""
    keys = [k for k in groups if (_workers(k) > 1) == contended]
    if not keys:
        return None
    return max(keys, key=lambda k: (len(groups[k]), -_workers(k),
                                    names.num(dict(k[1]).get("ops")) or 0))


def _ranked(group):
    """'cheapest: X figure [..]' or 'tie: X figure [..], Y figure [..] (..)'
    for a group (ranking.winner_text), or None."""
    est = {b.variant: figures.primary(b) for b in group}
    by_label = {b.variant: b for b in group}
    return ranking.winner_text({k: e for k, e in est.items() if figures.usable(e)},
                               group[0].metric.better,
                               lambda label, e: _fmt(by_label[label])(label, e), "cheapest")


def cheapest_lines(benches):
    """Per mode: the cheapest correct primitive alone and contended, and
    beside the contended line the cheapest lock (a lock may lose to an
    atomic, which is no lock: this line says which lock to take)."""
    ok = [b for b in benches if not b.failed and b.values and not facts.is_wrong(b)
          and set(b.params) <= PLAIN_FORM]
    lines = []
    by_mode = grouping.group_by(ok, lambda b: b.modes)
    for modes, members in by_mode.items():
        groups = grouping.group_by(members, lambda b: (b.modes, tuple(b.params.items())))
        groups = {k: v for k, v in groups.items() if len(v) >= 2}
        for contended, what in ((False, "alone"), (True, "contended")):
            key = _pick(groups, contended)
            if key is None:
                continue
            group = [b for b in groups[key] if b.metric == groups[key][0].metric]
            where = "/".join(list(modes) + [grouping.params_text(key[1])])
            text = _ranked(group)
            if text:
                lines.append(f"correct primitives, {what} ({where}): {text}")
            locks = [b for b in group if facts.is_lock(b)]
            text = _ranked(locks) if contended and locks else None
            if text:
                only = " (the only lock)" if len(locks) == 1 else ""
                lines.append(f"locks, contended ({where}): {text}{only}")
    return lines
