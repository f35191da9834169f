"""spawn in CPython: a Process started and joined, per start method, and a
threading.Thread started and joined. Real time is per start+join
(`iterations` of them per repetition; spawn, which starts an interpreter,
runs fewer). forkserver's server starts before the timed loop, as it does
once per program."""

import contextlib
import multiprocessing
import threading

import lifecycle
from runner import Sample, START_METHODS, Spec, expect, metric, name, timed

STARTS = {"smoke": {"fork": 2, "forkserver": 2, "spawn": 1},
          "quick": {"fork": 20, "forkserver": 20, "spawn": 3},
          "full": {"fork": 50, "forkserver": 30, "spawn": 5}}
THREADS = {"smoke": 10, "quick": 200, "full": 1000}
LATENCY = metric()


def noop():
    pass


def specs(mode):
    out = [Spec(name("spawn", "thread_start_join"), lambda: _threads(THREADS[mode]), LATENCY)]
    for start in START_METHODS:
        n = STARTS[mode][start]
        out.append(Spec(name("spawn", "process_start_join", start=start),
                        lambda start=start, n=n: _processes(start, n), LATENCY,
                        {"start_method": start}))
    return out


@contextlib.contextmanager
def _threads(n):
    def run():
        for _ in range(n):
            t = threading.Thread(target=noop)
            t.start()
            t.join()
    yield lambda: Sample(timed(run)[0], n)


def _start_join(ctx, n):
    codes = []
    for _ in range(n):
        p = ctx.Process(target=noop)
        try:
            with lifecycle.sigint_ignored():
                p.start()
            p.join()
            codes.append(p.exitcode)
        finally:
            if p.is_alive():
                p.kill()
                p.join()
            p.close()
    return codes


@contextlib.contextmanager
def _processes(start, n):
    ctx = multiprocessing.get_context(start)
    expect("warm-up child exit status", _start_join(ctx, 1), [0])

    def once():
        ns, codes = timed(_start_join, ctx, n)
        expect("child exit statuses", codes, [0] * n)
        return Sample(ns, n)
    yield once
