"""sum_squares (CPU-bound) in CPython: a task is sum(x*x for x in [0, n)).
Uniform tasks (n = inner), tiny tasks (inner 10) and skewed tasks (task i
has n = i). CPython runs a task about 100 times slower than C++, so the
uniform shape runs fewer tasks than its C++ twin: its `tasks` parameter is
the count CPython ran and the `scale` counter says by how much the C++
count is larger; compare per-task figures (seconds_per_task)."""

import concurrent.futures
import contextlib
import multiprocessing
import queue
import threading

import lifecycle
from runner import INLINE, START_METHODS, Sample, Spec, expect, metric, name, timed

# mode -> shapes: (workload, tasks, inner or None (skewed), C++ tasks, starts).
# Skewed tasks grow with the task count, so that shape is never scaled: it
# runs at sizes of its own (no C++ twin) except in smoke mode.
SHAPES = {
    "smoke": [("sum_squares", 40, 100, 40, START_METHODS),
              ("sum_squares", 40, 10, 40, ("fork",)),
              ("sum_squares_skewed", 40, None, 40, ("fork",))],
    "quick": [("sum_squares", 40, 10000, 1000, START_METHODS),
              ("sum_squares", 1000, 10, 1000, ("fork",)),
              ("sum_squares_skewed", 1000, None, 1000, ("fork",))],
    "full": [("sum_squares", 200, 10000, 10000, START_METHODS),
             ("sum_squares", 10000, 10, 10000, ("fork",)),
             ("sum_squares_skewed", 3000, None, 3000, ("fork",))],
}
WORKERS = {"smoke": (2,), "quick": (2,), "full": (1, 2)}
CPU = metric(kind="cpu")


def work(n):
    """The task: real work, a loop CPython cannot fold."""
    s = 0
    for x in range(n):
        s += x * x
    return s


def exact(n):
    return (n - 1) * n * (2 * n - 1) // 6


def work_slice(bounds, out, index):
    out[index] = sum(map(work, bounds))


def drain(tasks, results, ready, go):
    """The tutorials' worker, as the C++ task_queue's: say it is ready, then
    take tasks until a None (one per worker) ends them, putting one (index,
    result) on the results queue per task."""
    ready.release()
    go.wait()
    while (task := tasks.get()) is not None:
        i, n = task
        results.put((i, work(n)))


def slices(bounds, workers):
    """Contiguous static partition."""
    size, extra = divmod(len(bounds), workers)
    out, at = [], 0
    for w in range(workers):
        step = size + (w < extra)
        out.append(bounds[at:at + step])
        at += step
    return out


class Shape:
    def __init__(self, workload, tasks, inner, cpp_tasks):
        self.workload, self.tasks, self.inner = workload, tasks, inner
        self.bounds = [inner] * tasks if inner is not None else list(range(tasks))
        self.expected = sum(exact(n) for n in self.bounds)
        self.cpp_tasks = cpp_tasks

    def name(self, variant, **params):
        return name(self.workload, variant, tasks=self.tasks, inner=self.inner, **params)

    def sample(self, ns, got, workers):
        expect(f"{self.workload} total", got, self.expected)
        counters = {"tasks": self.tasks, "workers": workers,
                    "seconds_per_task": ns * 1e-9 / self.tasks}
        if self.cpp_tasks != self.tasks:
            counters["scale"] = self.cpp_tasks / self.tasks
        return Sample(ns, 1, counters)


def specs(mode):
    out = []
    for workload, tasks, inner, cpp_tasks, starts in SHAPES[mode]:
        s = Shape(workload, tasks, inner, cpp_tasks)
        out.append(Spec(s.name("serial"), lambda s=s: _serial(s), CPU, INLINE))
        for w in WORKERS[mode]:
            threads = {"runs_in": "threads", "start_method": "none", "takes_workers": "true"}
            out.append(Spec(s.name("threads", workers=w), lambda s=s, w=w: _threads(s, w),
                            CPU, threads))
            out.append(Spec(s.name("thread_pool", workers=w),
                            lambda s=s, w=w: _thread_pool(s, w), CPU, threads))
            for start in starts:
                procs = {"runs_in": "processes", "start_method": start, "takes_workers": "true"}
                for chunk in ("auto", "1"):
                    out.append(Spec(s.name("process_pool_map", workers=w, chunk=chunk, start=start),
                                    lambda s=s, w=w, c=chunk, st=start: _pool_map(s, w, c, st),
                                    CPU, procs))
                out.append(Spec(s.name("process_pool_apply_async", workers=w, start=start),
                                lambda s=s, w=w, st=start: _apply_async(s, w, st), CPU, procs))
                out.append(Spec(s.name("process_per_task", workers=w, start=start),
                                lambda s=s, w=w, st=start: _per_task(s, w, st), CPU, procs))
                out.append(Spec(s.name("task_queue", workers=w, start=start),
                                lambda s=s, w=w, st=start: _task_queue(s, w, st), CPU, procs))
    return out


@contextlib.contextmanager
def _serial(s):
    yield lambda: s.sample(*timed(lambda: sum(map(work, s.bounds))), 1)


@contextlib.contextmanager
def _threads(s, workers):
    def once():
        parts = slices(s.bounds, workers)
        out = [0] * workers
        ts = [threading.Thread(target=work_slice, args=(b, out, i)) for i, b in enumerate(parts)]

        def run():
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            return sum(out)
        return s.sample(*timed(run), workers)
    yield once


@contextlib.contextmanager
def _thread_pool(s, workers):
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        yield lambda: s.sample(*timed(lambda: sum(ex.map(work, s.bounds))), workers)


@contextlib.contextmanager
def _pool_map(s, workers, chunk, start):
    size = None if chunk == "auto" else int(chunk)
    with lifecycle.pool(multiprocessing.get_context(start), workers) as p:
        yield lambda: s.sample(*timed(lambda: sum(p.map_async(work, s.bounds, size).get(
            lifecycle.JOIN_TIMEOUT_S))), workers)


@contextlib.contextmanager
def _apply_async(s, workers, start):
    def run(p):
        pending = [p.apply_async(work, (n,)) for n in s.bounds]
        return sum(r.get(lifecycle.JOIN_TIMEOUT_S) for r in pending)
    with lifecycle.pool(multiprocessing.get_context(start), workers) as p:
        yield lambda: s.sample(*timed(run, p), workers)


@contextlib.contextmanager
def _per_task(s, workers, start):
    ctx = multiprocessing.get_context(start)

    def once():
        out = ctx.Array("q", workers, lock=False)
        parts = slices(s.bounds, workers)
        with lifecycle.reaped([ctx.Process(target=lifecycle.quiet, args=(work_slice, b, out, i))
                               for i, b in enumerate(parts)]) as procs:
            def run():
                lifecycle.start_all(procs)
                lifecycle.join_all(procs, "process_per_task")
                return sum(out)
            return s.sample(*timed(run), workers)
    yield once


@contextlib.contextmanager
def _task_queue(s, workers, start):
    """As the C++ twin: the workers are started (and have said they are
    ready, so a spawned interpreter's start-up is not timed) before the
    timed region; inside it the parent gives the go signal, puts every task
    and collects one result per task, then sums them."""
    ctx = multiprocessing.get_context(start)

    def once():
        tasks, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        ready = ctx.Semaphore(0)
        try:
            with lifecycle.reaped([ctx.Process(target=lifecycle.quiet,
                                               args=(drain, tasks, results, ready, go))
                                   for _ in range(workers)]) as procs:
                lifecycle.start_all(procs)
                for _ in procs:
                    if not ready.acquire(timeout=lifecycle.JOIN_TIMEOUT_S):
                        raise RuntimeError("task_queue: a worker never started")

                def run():
                    go.set()
                    for task in enumerate(s.bounds):
                        tasks.put(task)
                    for _ in range(workers):
                        tasks.put(None)
                    out = [None] * len(s.bounds)
                    for _ in s.bounds:
                        i, value = _get(results)
                        out[i] = value
                    return out
                ns, out = timed(run)
                missing = sum(v is None for v in out)
                if missing:
                    raise RuntimeError(f"task_queue: {missing} tasks sent no result")
                sample = s.sample(ns, sum(out), workers)
                lifecycle.join_all(procs, "task_queue")
                return sample
        finally:
            for q in (tasks, results):
                q.cancel_join_thread()
                q.close()
    yield once


def _get(results):
    try:
        return results.get(timeout=lifecycle.JOIN_TIMEOUT_S)
    except queue.Empty:
        raise RuntimeError("task_queue: a task sent no result") from None
