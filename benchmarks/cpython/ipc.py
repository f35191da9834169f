"""ipc in CPython: round trips through multiprocessing.Queue (put/get) and
Pipe (send/recv) to an echoing peer process, and requests to a
Manager().list() in its server process. Real time is per round trip or
request (`iterations` of them per repetition). Peers start with fork, as
in the C++ rows, outside the timed region; no placement is imposed
(pin:none, the scheduler's choice)."""

import contextlib
import multiprocessing

import lifecycle
from runner import Sample, Spec, expect, metric, name, timed

ROUNDS = {"smoke": 20, "quick": 200, "full": 1000}
SIZES = (8, 32768)
MANAGER_OPS = {"smoke": ("append", "get", "set", "len"), "quick": ("append", "get", "set", "len"),
               "full": ("append", "get")}  # the requests the C++ rows time in each mode
LATENCY = metric()


def queue_echo(inbox, outbox):
    while (msg := inbox.get()) is not None:
        outbox.put(msg)


def pipe_echo(conn):
    while (msg := conn.recv()) is not None:
        conn.send(msg)
    conn.close()


def specs(mode):
    rounds = ROUNDS[mode]
    out = []
    for size in SIZES:
        out.append(Spec(name("ipc", "queue", "pingpong", peer="process", size=size, pin="none"),
                        lambda size=size: _queue(size, rounds), LATENCY))
        out.append(Spec(name("ipc", "pipe", "pingpong", peer="process", size=size, pin="none"),
                        lambda size=size: _pipe(size, rounds), LATENCY))
    for op in MANAGER_OPS[mode]:
        # Python's Manager() listens on a Unix socket on Linux (AF_UNIX, the
        # default family): the twin of the C++ transport:unix rows.
        out.append(Spec(name("ipc", "manager", op, peer="process", transport="unix", pin="none"),
                        lambda op=op: _manager(op, rounds), LATENCY))
    return out


def _round_trips(send, recv, size, rounds):
    msgs = [bytes([i % 256]) * size for i in range(rounds)]

    def run():
        got = []
        for m in msgs:
            send(m)
            got.append(recv())
        return got
    ns, got = timed(run)
    expect("echoed messages", got == msgs, True)
    return Sample(ns, rounds, {"size": size})


@contextlib.contextmanager
def _queue(size, rounds):
    ctx = multiprocessing.get_context("fork")
    inbox, outbox = ctx.Queue(), ctx.Queue()
    try:
        with lifecycle.reaped([ctx.Process(target=lifecycle.quiet,
                                           args=(queue_echo, inbox, outbox))]) as procs:
            lifecycle.start_all(procs)
            try:
                def get():
                    return outbox.get(timeout=lifecycle.JOIN_TIMEOUT_S)
                yield lambda: _round_trips(inbox.put, get, size, rounds)
            finally:
                inbox.put(None)
                procs[0].join(lifecycle.JOIN_TIMEOUT_S)
    finally:
        for q in (inbox, outbox):
            q.cancel_join_thread()
            q.close()


@contextlib.contextmanager
def _pipe(size, rounds):
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    try:
        with lifecycle.reaped([ctx.Process(target=lifecycle.quiet,
                                           args=(pipe_echo, there))]) as procs:
            lifecycle.start_all(procs)
            there.close()
            try:
                yield lambda: _round_trips(here.send, here.recv, size, rounds)
            finally:
                here.send(None)
                procs[0].join(lifecycle.JOIN_TIMEOUT_S)
    finally:
        here.close()


@contextlib.contextmanager
def _manager(op, rounds):
    with lifecycle.sigint_ignored():
        manager = multiprocessing.get_context("fork").Manager()
    with manager:
        items = manager.list(range(rounds))

        def run():
            if op == "append":
                for i in range(rounds):
                    items.append(i)
                return len(items) - rounds == rounds
            if op == "get":
                return sum(items[i] for i in range(rounds)) == sum(range(rounds))
            if op == "set":
                for i in range(rounds):
                    items[i] = i + 1
                return items[rounds - 1] == rounds
            return all(len(items) == rounds for _ in range(rounds))

        def once():
            del items[rounds:]
            ns, ok = timed(run)
            expect(f"manager list {op}", ok, True)
            return Sample(ns, rounds)
        yield once
