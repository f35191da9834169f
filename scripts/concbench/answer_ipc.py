"""The channels' answers, placement first: for each pattern (round trip,
throughput, a manager request) and each kind of peer, the best channel at
each placement, with ties, and its ratio to its floor where it names one;
and a manager request over TCP loopback against the same over its Unix
socket."""

from concbench import facts, figures, grouping, names, ranking, units

# The manager's transport parameter, and the value its other rows are judged against.
TRANSPORT = "transport"
BASE_TRANSPORT = "unix"
TRANSPORT_TEXT = {"tcp": "TCP loopback", "unix": "Unix socket"}


def size_text(size):
    """8 -> '8 B', 32768 -> '32 KiB', 1048576 -> '1 MiB'."""
    n = names.num(size)
    if n is None:
        return str(size)
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n / scale:g} {unit}"
    return f"{n:g} B"


def _peer_text(peer):
    return {"process": "between processes", "thread": "between threads"}.get(
        peer, f"peer:{peer}" if peer else "")


def _pattern(bench):
    return "/".join(bench.modes) or bench.variant


def _figure(pattern, bench):
    """(Estimate, unit, better) a channel is judged by: its primary metric,
    or bytes per second for a throughput pattern whose file predates schema 2."""
    if "throughput" in pattern and bench.metric.unit != "B/s":
        e = figures.bytes_per_second(bench)
        if figures.usable(e):
            return e, "B/s", "higher"
    return figures.primary(bench), bench.metric.unit, bench.metric.better


def _place_line(run, pattern, members):
    """'shm_ring 0.26 us [..] (3.1x [..] the cost of its floor)' for the best
    at one placement, or 'tie: ...' naming the tied (ranking.winner_text)."""
    members = [b for b in members if b.metric == members[0].metric]
    unique = len({m.variant for m in members}) == len(members)
    est = {b.variant if unique else grouping.label(b): (b, *_figure(pattern, b))
           for b in members}
    est = {k: v for k, v in est.items() if figures.usable(v[1])}
    if not est:
        return None
    better = next(iter(est.values()))[3]

    def fmt(label, e):
        bench, _, unit, _ = est[label]
        text = units.fmt_estimate(e, unit)
        floor = figures.floor_ratio(run, bench)
        if figures.usable(floor):
            text += f" ({units.fmt_ratio(floor)} the cost of its floor)"
        return text
    return ranking.winner_text({k: v[1] for k, v in est.items()}, better, fmt)


def _floor_text(run, benches):
    floors = {b.floor for b in benches if b.floor}
    out = []
    for name in sorted(floors):
        f = run.benches.get(name)
        if f is not None and not f.failed and figures.usable(figures.primary(f)):
            out.append(f"floor {grouping.label(f)} "
                       f"{units.fmt_estimate(figures.primary(f), f.metric.unit)}")
    return "; ".join(out)


def answers(run, benches):
    ok = [b for b in benches if not b.failed and b.values and not facts.is_wrong(b)]
    lines = []
    # A CPython row (impl:cpython) is answered beside its C++ twin
    # (answers.cpython_answers), never ranked against the C++ channels.
    cpp = [b for b in ok if "impl" not in b.params] or ok
    by_pattern = grouping.group_by(cpp, lambda b: (_pattern(b), b.params.get("peer", "")))
    for (pattern, peer), members in by_pattern.items():
        sizes = sorted({names.num(b.params["size"]) for b in members
                        if names.num(b.params.get("size")) is not None})
        size = None
        if sizes:
            higher = members[0].metric.better == "higher" or "throughput" in pattern
            size = sizes[-1] if higher else sizes[0]
            members = [b for b in members if names.num(b.params.get("size")) == size]
        places = grouping.group_by(members, facts.placement, order=facts.placement_order)
        parts = []
        for place, group in places.items():
            text = _place_line(run, pattern, group)
            if text:
                parts.append(f"{place or 'any placement'} {text}" if len(places) > 1 or place
                             else text)
        if not parts:
            continue
        head = " ".join(x for x in (pattern, size_text(size) if size else "",
                                    _peer_text(peer)) if x)
        floor = _floor_text(run, members)
        lines.append(f"{head}: {'; '.join(parts)}" + (f" ({floor})" if floor else ""))
    return lines + transport_answers(ok)


def transport_answers(ok):
    """Per request, at each placement: a row over another transport (TCP)
    beside its twin over the Unix socket (the same name with transport:unix),
    both figures and its cost as a multiple of the Unix socket's."""
    def rest(b):
        return (b.variant, b.modes, {k: v for k, v in b.params.items() if k != TRANSPORT})
    base = [b for b in ok if b.params.get(TRANSPORT) == BASE_TRANSPORT]
    others = [b for b in ok if b.params.get(TRANSPORT, BASE_TRANSPORT) != BASE_TRANSPORT]
    lines = []
    groups = grouping.group_by(others, lambda b: (b.variant, _pattern(b), b.params[TRANSPORT]))
    for (variant, pattern, transport), members in groups.items():
        parts = []
        for b in sorted(members, key=facts.placement_order):
            twin = next((o for o in base if rest(o) == rest(b)), None)
            if twin is None or b.metric != twin.metric:
                continue
            r = figures.cost_ratio(b.values, twin.values, b.metric)
            parts.append(f"{facts.placement(b) or 'any placement'} "
                         f"{units.fmt_estimate(figures.primary(b), b.metric.unit)} against "
                         f"{units.fmt_estimate(figures.primary(twin), twin.metric.unit)} "
                         f"({units.fmt_ratio(r)} the {TRANSPORT_TEXT[BASE_TRANSPORT]}'s cost)")
        if parts:
            name = TRANSPORT_TEXT.get(transport, f"{TRANSPORT}:{transport}")
            lines.append(f"{variant} round trip ({pattern}): {name} vs "
                         f"{TRANSPORT_TEXT[BASE_TRANSPORT]}: {'; '.join(parts)}")
    return lines
