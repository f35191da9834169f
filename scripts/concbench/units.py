"""Numbers as people read them: engineering units and the one-line context."""

import math


def fmt_time(ns):
    if ns is None or not math.isfinite(ns):
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_num(x):
    if x is None or not math.isfinite(x):
        return "-"
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {suffix}"
    return f"{x:.3g}"


def fmt_value(value, unit):
    """A metric value in its unit, scaled for reading: 1.2 ms, 3.4 GB/s."""
    if value is None or not math.isfinite(value):
        return "-"
    if unit == "s":
        return fmt_time(value * 1e9)
    if unit == "ns":
        return fmt_time(value)
    if unit.endswith("/s") or unit in ("ops", "B", "items"):
        return f"{fmt_num(value)}{unit}" if unit.startswith("B") else f"{fmt_num(value)} {unit}"
    return f"{fmt_num(value)} {unit}".rstrip()


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
