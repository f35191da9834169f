"""bank (shared state) in CPython: a balance starts at 100; worker w
deposits 1 when w is even and withdraws 1 when odd, `ops` times each, so
the balance must end at 100. Across processes the balance is a
multiprocessing.Value, updated with `v.value += 1` either without its lock
(primitive `none`: the tutorials' lost updates) or inside `with
v.get_lock()` (a POSIX named semaphore underneath: `posix_named_semaphore`);
across threads an attribute, without a lock or under threading.Lock (a
mutex: `std_mutex`). Lost updates are counted as in the C++ rows:
balance_error = |final - expected|; only the locked forms must be exact.
The processes start with fork, as the C++ twins do; starting them is
outside the timed round (from the start signal to the last worker's end,
on each worker's own clock)."""

import contextlib
import multiprocessing
import threading
import time

import lifecycle
from runner import Sample, Spec, expect, metric, name

INITIAL = 100
OPS = {"smoke": 200, "quick": 20000, "full": 1000000}  # per worker, as the C++ rows
WORKERS = 2
RATE = metric("ns_per_op", "ns", "lower", "rate")


class Account:
    def __init__(self):
        self.balance = INITIAL


def _step(w):
    return 1 if w % 2 == 0 else -1


def thread_worker(acct, lock, w, ops, go, times):
    step = _step(w)
    go.wait()
    t0 = time.perf_counter_ns()
    if lock is None:
        for _ in range(ops):
            acct.balance += step
    else:
        for _ in range(ops):
            with lock:
                acct.balance += step
    times[2 * w], times[2 * w + 1] = t0, time.perf_counter_ns()


def process_worker(value, locked, w, ops, go, times):
    step = _step(w)
    go.wait()
    t0 = time.perf_counter_ns()
    if locked:
        lock = value.get_lock()
        for _ in range(ops):
            with lock:
                value.value += step
    else:
        for _ in range(ops):
            value.value += step
    times[2 * w], times[2 * w + 1] = t0, time.perf_counter_ns()


def specs(mode):
    ops = OPS[mode]
    nm = lambda prim, where: name("bank", prim, where, ops=ops, workers=WORKERS)  # noqa: E731
    racy, exact = {"exact": "false"}, {"exact": "true"}
    return [
        Spec(nm("none", "threads"), lambda: _threads(ops, None), RATE, racy),
        Spec(nm("std_mutex", "threads"), lambda: _threads(ops, threading.Lock()), RATE, exact),
        Spec(nm("none", "processes"), lambda: _processes(ops, False), RATE, racy),
        Spec(nm("posix_named_semaphore", "processes"), lambda: _processes(ops, True), RATE,
             exact),
    ]


def _sample(final, times, ops, exact):
    if exact:
        expect("final balance", final, INITIAL)
    ns = max(times[1::2]) - min(times[0::2])
    total = ops * WORKERS
    rate = total / (ns * 1e-9)
    return Sample(ns, 1, {"ops_per_second": rate, "ns_per_op": 1e9 / rate,
                          "final_balance": final, "expected_balance": INITIAL,
                          "balance_error": abs(final - INITIAL), "workers": WORKERS})


@contextlib.contextmanager
def _threads(ops, lock):
    def once():
        acct, go, times = Account(), threading.Event(), [0] * (2 * WORKERS)
        ts = [threading.Thread(target=thread_worker, args=(acct, lock, w, ops, go, times))
              for w in range(WORKERS)]
        for t in ts:
            t.start()
        go.set()
        for t in ts:
            t.join()
        return _sample(acct.balance, times, ops, lock is not None)
    yield once


@contextlib.contextmanager
def _processes(ops, locked):
    ctx = multiprocessing.get_context("fork")

    def once():
        value, go = ctx.Value("i", INITIAL), ctx.Event()
        times = ctx.Array("q", 2 * WORKERS, lock=False)
        with lifecycle.reaped([ctx.Process(target=lifecycle.quiet,
                                           args=(process_worker, value, locked, w, ops, go, times))
                               for w in range(WORKERS)]) as procs:
            lifecycle.start_all(procs)
            go.set()
            lifecycle.join_all(procs, "bank")
        return _sample(value.value, list(times), ops, locked)
    yield once
