"""The naming contract, parsed in one place:
<workload>/<variant>[/<mode>...]/<key>:<value>/... plus the suffixes Google
Benchmark appends (real_time, iterations:N, ...), which are not parameters."""

import re

# Name segments Google appends to the registered name; they are not parameters.
GOOGLE_SUFFIX = re.compile(
    r"^(real_time|manual_time|process_time|repeats:\d+|iterations:\d+|"
    r"min_time:[0-9.e+-]+s?|min_warmup_time:[0-9.e+-]+s?)$")
# Parameters that change how the work is split or waited on, not the work
# itself: a benchmark with them meets the serial run without them (so an
# event loop's style:callbacks meets serial too, and so does a process
# variant's start method, and an MPI row's rank count).
SPLIT_PARAMS = ("workers", "chunk", "style", "start", "ranks")
# Parameters that count the workers: `ranks` for the mpi model's rows.
WORKER_PARAMS = ("workers", "ranks")
# The start method a name without start: means (the C++ harness forks).
DEFAULT_START = "fork"


def contract_name(name):
    """The contract name: Google's run-configuration suffixes removed."""
    parts = name.split("/")
    while len(parts) > 1 and GOOGLE_SUFFIX.match(parts[-1]):
        parts.pop()
    return "/".join(parts)


def parse_name(name):
    """Splits '<workload>/<variant>/<mode>/<key>:<value>...' into its parts.
    Segments without ':' after the variant are modes (e.g. 'threads', 'pingpong')."""
    parts = contract_name(name).split("/")
    workload = parts[0]
    variant = parts[1] if len(parts) > 1 else ""
    modes, params = [], {}
    for seg in parts[2:]:
        if ":" in seg:
            key, value = seg.split(":", 1)
            params[key] = value
        else:
            modes.append(seg)
    return workload, variant, tuple(modes), params


def num(value):
    """A parameter value as a number for sorting and axes (None if not numeric)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
