"""Numbers as people read them: engineering units and the one-line context."""

import math

# Counters whose unit their name does not say (the rest: see counter_unit).
COUNTER_UNITS = {
    "makespan": "s", "ideal_makespan": "s", "overhead_per_task": "s",
    "cpu_seconds": "s", "ns_per_op": "ns", "round_trip_ns": "ns",
}


def _finite(x):
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def fmt_time(ns):
    """Nanoseconds as '1.2 ms', '340 ns'."""
    if not _finite(ns):
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_num(x):
    """A count with k/M/G: '36.5 M', '120'."""
    if not _finite(x):
        return "-"
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {suffix}"
    return f"{x:.3g}"


def fmt_value(value, unit):
    """A value in its unit, scaled for reading: '1.2 ms', '3.4 GB/s', '36.5 M ops/s'."""
    if not _finite(value):
        return "-"
    if unit == "s":
        return fmt_time(value * 1e9)
    if unit == "ns":
        return fmt_time(value)
    if unit in ("B/s", "B"):
        return f"{fmt_num(value)}{unit}" if abs(value) >= 1e3 else f"{value:.3g} {unit}"
    return f"{fmt_num(value)} {unit}".rstrip()


def fmt_estimate(e, unit, interval=True):
    """An Estimate as '1.2 ms [1.1, 1.4 ms]' ('-' when there is none)."""
    if e is None or not _finite(e.value):
        return "-"
    text = fmt_value(e.value, unit)
    if interval and _finite(e.lo) and _finite(e.hi):
        lo, hi = fmt_value(e.lo, unit), fmt_value(e.hi, unit)
        lo_number, _, lo_unit = lo.partition(" ")
        if lo_unit and lo_unit == hi.partition(" ")[2]:
            lo = lo_number
        text += f" [{lo}, {hi}]"
    return text


def fmt_ratio(e, interval=True):
    """A ratio Estimate as '1.93x [1.85, 2.01]'."""
    if e is None or not _finite(e.value):
        return "-"
    digits = 3 if e.value < 10 else 4
    text = f"{e.value:.{digits}g}x"
    if interval and _finite(e.lo) and _finite(e.hi):
        text += f" [{e.lo:.{digits}g}, {e.hi:.{digits}g}]"
    return text


def counter_unit(key):
    """The unit a counter is in, from its name: 'B/s', 'ops/s', 's', 'ns' or ''."""
    if key in COUNTER_UNITS:
        return COUNTER_UNITS[key]
    if key.endswith("_per_second"):
        what = key[:-len("_per_second")]
        return "B/s" if what == "bytes" else f"{what}/s"
    if key.endswith("_ns"):
        return "ns"
    if key.endswith("_seconds"):
        return "s"
    return ""


def fmt_counter(key, value):
    return fmt_value(value, counter_unit(key))


def context_line(context):
    """One line naming the machine and revision, for chart titles and reports."""
    c = context or {}
    cpu = c.get("cpu_model") or "unknown CPU"
    cores = c.get("logical_cores") or c.get("num_cpus") or "?"
    parts = [cpu, f"{cores} cores", str(c.get("date", "no date"))[:19],
             f"rev {str(c.get('concbench_revision', 'unknown'))[:12]}"]
    if c.get("concbench_mode"):
        parts.append(f"{c['concbench_mode']} suite")
    return ", ".join(parts)
