"""sleep_io (I/O-bound) in CPython: N tasks, each sleeps d and returns i*i;
the ideal makespan is ceil(N / workers) * d (d for an event loop, which
has no worker limit). asyncio is the twin of C++'s asio_async with
style:coroutines (a gather of asyncio.sleep coroutines on one thread)."""

import asyncio
import concurrent.futures
import contextlib
import math
import multiprocessing
import threading
import time

import lifecycle
from runner import INLINE, START_METHODS, Sample, Spec, expect, metric, name, timed

# mode -> (tasks, sleep_ms, workers) of the pooled forms, and the asyncio sizes
SHAPES = {"smoke": [(8, 1, 2)], "quick": [(8, 2, 2)], "full": [(8, 10, 2), (100, 1, 16)]}
ASYNC = {"smoke": [(8, 1), (200, 1)], "quick": [(8, 2), (1000, 10), (10000, 10)],
         "full": [(8, 10), (100, 1), (1000, 10), (10000, 10)]}
SLEEP = metric(kind="sleep")


def task(i, seconds):
    time.sleep(seconds)
    return i * i


def task_slice(indices, seconds, out):
    for i in indices:
        out[i] = task(i, seconds)


async def async_task(i, seconds):
    await asyncio.sleep(seconds)
    return i * i


async def gather(tasks, seconds):
    return await asyncio.gather(*(async_task(i, seconds) for i in range(tasks)))


class Shape:
    def __init__(self, tasks, sleep_ms):
        self.tasks, self.sleep_ms, self.seconds = tasks, sleep_ms, sleep_ms / 1000
        self.expected = sum(i * i for i in range(tasks))

    def sample(self, ns, results, workers):
        expect("sum of results", sum(results), self.expected)
        expect("results", len(results), self.tasks)
        ideal = math.ceil(self.tasks / workers) * self.seconds if workers else self.seconds
        makespan = ns * 1e-9
        return Sample(ns, 1, {"tasks": self.tasks, "workers": workers or self.tasks,
                              "makespan": makespan, "ideal_makespan": ideal,
                              "efficiency": ideal / makespan,
                              "overhead_per_task": (makespan - ideal) / self.tasks})


def specs(mode):
    out = []
    for tasks, sleep_ms, w in SHAPES[mode]:
        s = Shape(tasks, sleep_ms)

        def nm(variant, **p):
            return name("sleep_io", variant, tasks=tasks, sleep_ms=sleep_ms, **p)
        threads = {"runs_in": "threads", "start_method": "none", "takes_workers": "true"}
        out.append(Spec(nm("serial"), lambda s=s: _serial(s), SLEEP, INLINE))
        out.append(Spec(nm("threads", workers=w), lambda s=s, w=w: _threads(s, w), SLEEP, threads))
        out.append(Spec(nm("thread_pool", workers=w), lambda s=s, w=w: _thread_pool(s, w),
                        SLEEP, threads))
        for start in START_METHODS:
            procs = {"runs_in": "processes", "start_method": start, "takes_workers": "true"}
            for chunk in ("auto", "1"):
                out.append(Spec(nm("process_pool_map", workers=w, chunk=chunk, start=start),
                                lambda s=s, w=w, c=chunk, st=start: _pool_map(s, w, c, st),
                                SLEEP, procs))
            out.append(Spec(nm("process_per_task", workers=w, start=start),
                            lambda s=s, w=w, st=start: _per_task(s, w, st), SLEEP, procs))
    for tasks, sleep_ms in ASYNC[mode]:
        s = Shape(tasks, sleep_ms)
        out.append(Spec(name("sleep_io", "asio_async", tasks=tasks, sleep_ms=sleep_ms,
                             style="coroutines"), lambda s=s: _asyncio(s), SLEEP, INLINE))
    return out


@contextlib.contextmanager
def _serial(s):
    yield lambda: s.sample(*timed(lambda: [task(i, s.seconds) for i in range(s.tasks)]), 1)


def _split(tasks, workers):
    return [list(range(w, tasks, workers)) for w in range(workers)]


@contextlib.contextmanager
def _threads(s, workers):
    def once():
        out = [0] * s.tasks
        ts = [threading.Thread(target=task_slice, args=(part, s.seconds, out))
              for part in _split(s.tasks, workers)]

        def run():
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            return out
        return s.sample(*timed(run), workers)
    yield once


@contextlib.contextmanager
def _thread_pool(s, workers):
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        yield lambda: s.sample(*timed(
            lambda: list(ex.map(task, range(s.tasks), [s.seconds] * s.tasks))), workers)


@contextlib.contextmanager
def _pool_map(s, workers, chunk, start):
    size = None if chunk == "auto" else int(chunk)
    args = [(i, s.seconds) for i in range(s.tasks)]
    with lifecycle.pool(multiprocessing.get_context(start), workers) as p:
        yield lambda: s.sample(*timed(lambda: p.starmap_async(task, args, size).get(
            lifecycle.JOIN_TIMEOUT_S)), workers)


@contextlib.contextmanager
def _per_task(s, workers, start):
    ctx = multiprocessing.get_context(start)

    def once():
        out = ctx.Array("q", s.tasks, lock=False)
        with lifecycle.reaped([ctx.Process(target=lifecycle.quiet,
                                           args=(task_slice, part, s.seconds, out))
                               for part in _split(s.tasks, workers)]) as procs:
            def run():
                lifecycle.start_all(procs)
                lifecycle.join_all(procs, "process_per_task")
                return list(out)
            return s.sample(*timed(run), workers)
    yield once


@contextlib.contextmanager
def _asyncio(s):
    loop = asyncio.new_event_loop()
    try:
        yield lambda: s.sample(*timed(lambda: loop.run_until_complete(gather(s.tasks, s.seconds))),
                               0)
    finally:
        loop.close()
