"""Numbers as people read them: engineering units and the one-line context."""

import math

# The unit of a counter comes from its name, by one rule (counter_unit):
# `<what>_per_second` is a rate of <what> (bytes: B/s); `<what>_per_<thing>`
# is <what> normalised by a count (per task, per op), in <what>'s unit; and
# <what> is in the unit of its last word, from this table (cpu_seconds,
# seconds_per_task, cpu_seconds_per_task, ideal_makespan: s; ns_per_op,
# round_trip_ns: ns). A word not in the table is a count, without a unit.
WORD_UNITS = {"seconds": "s", "makespan": "s", "overhead": "s", "ns": "ns"}
# Engineering prefixes for counts, largest first (fmt_num).
PREFIXES = (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3), ("", 1.0), ("m", 1e-3), ("u", 1e-6),
            ("n", 1e-9))
TIME_SCALES = (("s", 1e9), ("ms", 1e6), ("us", 1e3), ("ns", 1.0))


def _finite(x):
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def _scaled(x, scales):
    """(mantissa text, prefix): x in the largest scale that leaves a mantissa
    of at least 1 after rounding to three digits (999.96 k is '1 M', never
    '1e+03 k'); never in scientific notation."""
    if x == 0:
        return "0", next(p for p, f in scales if f == 1.0)
    for prefix, scale in scales:
        m = float(f"{abs(x) / scale:.3g}")
        if m >= 1:
            break
    return ("-" if x < 0 else "") + _plain(m), prefix


def _plain(m):
    """A rounded mantissa without an exponent: '1', '12.5', '0.0012'."""
    text = f"{m:.3g}"
    if "e" in text:
        decimals = max(0, 2 - math.floor(math.log10(abs(m)))) if m else 0
        text = f"{m:.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return text


def fmt_time(ns):
    """Nanoseconds as '1.2 ms', '340 ns'."""
    if not _finite(ns):
        return "-"
    text, unit = _scaled(ns, TIME_SCALES)
    return f"{text} {unit}"


def fmt_num(x):
    """A count with k/M/G/T (and m/u/n below 1 when needed): '36.5 M', '120'."""
    if not _finite(x):
        return "-"
    if x == 0 or 1e-3 <= abs(float(f"{x:.3g}")) < 1e3:
        return _plain(float(f"{x:.3g}"))
    text, prefix = _scaled(x, PREFIXES)
    return f"{text} {prefix}".rstrip()


def fmt_value(value, unit):
    """A value in its unit, scaled for reading: '1.2 ms', '3.4 GB/s', '36.5 M ops/s'."""
    if not _finite(value):
        return "-"
    if unit == "s":
        return fmt_time(value * 1e9)
    if unit == "ns":
        return fmt_time(value)
    if unit in ("B/s", "B"):
        text = fmt_num(value)
        return f"{text}{unit}" if text[-1].isalpha() else f"{text} {unit}"
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

    def fmt(v):
        text = f"{v:.{digits}g}"
        return text if "e" not in text else f"{v:.0f}" if abs(v) >= 1 else _plain(v)
    text = f"{fmt(e.value)}x"
    if interval and _finite(e.lo) and _finite(e.hi):
        text += f" [{fmt(e.lo)}, {fmt(e.hi)}]"
    return text


def counter_unit(key):
    """The unit a counter is in, from its name (see WORD_UNITS): 'B/s',
    'ops/s', 's', 'ns' or ''."""
    if key.endswith("_per_second"):
        what = key[:-len("_per_second")]
        return "B/s" if what == "bytes" else f"{what}/s"
    what = key.split("_per_", 1)[0]
    return WORD_UNITS.get(what.rsplit("_", 1)[-1], "")


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
