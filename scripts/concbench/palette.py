"""One colour and one marker per variant, primitive, channel and start-up
benchmark, the same in every chart of every run (the table is in the README).

Names are looked up in the fixed table below; a name it does not know (a
workload added later) gets a colour and marker from a hash of the name, so it
too keeps them from run to run. Series that differ only in a parameter
(chunk:1 and chunk:auto of one variant) share the variant's colour and
marker and differ in line style (see line_style).
"""

import zlib
from typing import NamedTuple


class Style(NamedTuple):
    colour: str
    marker: str


# (category, name, colour, marker): every name a full run draws (C++, MPI,
# CPython and limits rows). Within a category every colour differs, and no
# two names share both colour and marker; the racy bank primitives (none,
# mpi_none) are grey and crossed out, serial is black. A limit named like a
# channel (pipe) takes the channel's style.
TABLE = (
    ("variant", "serial", "#000000", "o"),
    ("variant", "threads", "#1f77b4", "s"),
    ("variant", "thread_pool", "#17becf", "D"),
    ("variant", "tbb", "#2ca02c", "^"),
    ("variant", "std_async", "#bcbd22", "v"),
    ("variant", "asio_async", "#9467bd", "P"),
    ("variant", "process_per_task", "#d62728", "X"),
    ("variant", "process_pool_map", "#ff7f0e", "o"),
    ("variant", "process_pool_apply_async", "#8c564b", "<"),
    ("variant", "task_queue", "#e377c2", ">"),
    ("variant", "mpi", "#393b79", "h"),
    ("primitive", "none", "#7f7f7f", "x"),
    ("primitive", "std_mutex", "#1f77b4", "h"),
    ("primitive", "spinlock", "#ff7f0e", "p"),
    ("primitive", "atomic", "#2ca02c", "*"),
    ("primitive", "tbb_spin_mutex", "#bcbd22", "d"),
    ("primitive", "tbb_queuing_mutex", "#17becf", "h"),
    ("primitive", "ipc_mutex", "#d62728", "P"),
    ("primitive", "ipc_semaphore", "#9467bd", "X"),
    ("primitive", "posix_named_semaphore", "#8c564b", "d"),
    ("primitive", "shm_atomic", "#e377c2", "*"),
    ("primitive", "mpi_none", "#b0b0b0", "+"),
    ("primitive", "mpi_fetch_and_op", "#393b79", "*"),
    ("primitive", "mpi_win_lock", "#5254a3", "P"),
    ("channel", "pipe", "#1f77b4", "v"),
    ("channel", "socketpair", "#ff7f0e", "^"),
    ("channel", "shm_ring", "#2ca02c", "s"),
    ("channel", "message_queue", "#d62728", "D"),
    ("channel", "queue", "#9467bd", "o"),
    ("channel", "tbb_queue", "#8c564b", "s"),
    ("channel", "manager", "#e377c2", "P"),
    ("start-up", "thread_start_join", "#1f77b4", "D"),
    ("start-up", "process_start_join", "#d62728", "v"),
    ("start-up", "spawn_self_join", "#9467bd", "s"),
    ("start-up", "process_pool_startup", "#ff7f0e", "P"),
    ("start-up", "process_pool_shutdown", "#8c564b", "X"),
    ("start-up", "thread_pool_startup", "#17becf", "o"),
    ("start-up", "tbb_startup", "#2ca02c", "o"),
    ("start-up", "task_queue_startup", "#e377c2", "o"),
    ("start-up", "mpirun_start_join", "#393b79", "X"),
    ("limits", "fork_exit_wait", "#843c39", "v"),
    ("limits", "posix_spawn_wait", "#7b4173", "s"),
    ("limits", "thread_create_join", "#3182bd", "D"),
    ("limits", "futex", "#8c6d31", "h"),
    ("limits", "spin", "#31a354", "*"),
    ("limits", "memcpy", "#636363", "o"),
)
BY_NAME = {}
for _category, _name, _colour, _marker in TABLE:
    BY_NAME.setdefault(_name, Style(_colour, _marker))

# For names the table does not know: colours the table uses least, and markers.
EXTRA_COLOURS = ("#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
                 "#e6550d", "#31a354", "#756bb1", "#636363", "#ad494a", "#e7ba52")
EXTRA_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">", "h")
LINE_STYLES = ("-", "--", ":", "-.")
FLOOR_STYLE = Style("#555555", "_")


# The pairs a name the table does not know may take: none the table uses.
FREE_STYLES = tuple(Style(c, m) for m in EXTRA_MARKERS for c in EXTRA_COLOURS
                    if Style(c, m) not in set(BY_NAME.values()))


def style(name):
    """The colour and marker of a variant, primitive or channel name; a name
    the table does not know gets a free pair from a hash of the name."""
    if name in BY_NAME:
        return BY_NAME[name]
    return FREE_STYLES[zlib.crc32(name.encode("utf-8")) % len(FREE_STYLES)]


def order(name):
    """Sort key that puts known names in the table's order, then the rest by name."""
    names = [n for _, n, _, _ in TABLE]
    return (names.index(name), "") if name in names else (len(names), name)


def line_style(index):
    """Line style of the index-th sub-series of one name (solid first)."""
    return LINE_STYLES[index % len(LINE_STYLES)]


def markdown_table():
    """The README's colour table, generated from TABLE."""
    lines = ["| category | name | colour | marker |", "|---|---|---|---|"]
    for category, name, colour, marker in TABLE:
        lines.append(f"| {category} | `{name}` | `{colour}` | `{marker}` |")
    return "\n".join(lines)
