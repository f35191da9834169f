"""bank (shared state) in CPython: a balance starts at 100; worker w
deposits 1 when w is even and withdraws 1 when odd, `ops` times each, so
the balance must end at 100. Across processes the word is a
multiprocessing.Value without a lock of its own (`lock=False`, a bare
shared int64), updated with `v.value += d` either bare (primitive `none`:
the tutorials' lost updates) or inside `with lock` of a
multiprocessing.Lock (a POSIX semaphore underneath:
`posix_named_semaphore`); across threads an attribute, bare or under
threading.Lock (a mutex: `std_mutex`). As in the C++ rows, `none` updates a
tally word in place of the balance (deposits in its high half, withdrawals
in its low half, by the same racy read-modify-write), so `lost_updates` is
exact (made minus applied, deposits and withdrawals apart) and
balance_error = |final - expected|; only the locked forms must be exact.
The processes start with fork, as the C++ twins do; starting them is
outside the timed round. Each worker records (on the one monotonic clock)
when it started and finished and how many updates it had done when it saw
every worker running and when it saw the first one finish; ns_per_op is
the time per update of the contended phase [last start, first finish], as
C++'s (the whole round's when there is none, with contended_share 0)."""

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

# The phase word (as the C++ crew's): how many workers have started, and
# whether one has finished.
RUNNING_MASK = (1 << 30) - 1
FIRST_FINISHED = 1 << 30
# The tally word: a deposit adds 1 << 32, a withdrawal 1.
TALLY_SHIFT = 32
MAX_TALLY = (1 << TALLY_SHIFT) - 1
# A worker's lap: start_ns, finish_ns, ops, ops_at_all_running,
# ops_at_first_finish.
LAP = 5


class Cell:
    """The threads' word: an attribute, as a Value has `value`."""

    def __init__(self, value):
        self.value = value


def _step(w):
    return 1 if w % 2 == 0 else -1


def _tally_unit(step):
    return 1 << TALLY_SHIFT if step > 0 else 1


def worker(cell, lock, exact, w, ops, ready, go, phase, phase_lock, laps):
    """One worker's round: `ops` updates of `cell.value`, under `lock` when
    there is one; the balance's step when `exact`, else the tally's unit.
    Before every update (and once at the end) it reads the phase word, as
    the C++ Shift::Tally does. It says it is `ready`, then waits for `go`
    (the start line)."""
    step = _step(w)
    d = step if exact else _tally_unit(step)
    ready.release()
    go.wait()
    start = time.perf_counter_ns()
    with phase_lock:
        phase[0] += 1
    seen, at_all, at_first = -1, None, None
    done = 0
    while True:
        p = phase[0]
        if p != seen:
            seen = p
            if at_all is None and p & RUNNING_MASK == WORKERS:
                at_all = done
            if at_first is None and p & FIRST_FINISHED:
                at_first = done
        if done == ops:
            break
        if lock is None:
            cell.value += d
        else:
            with lock:
                cell.value += d
        done += 1
    finish = time.perf_counter_ns()
    with phase_lock:
        phase[0] |= FIRST_FINISHED
    laps[LAP * w:LAP * (w + 1)] = [start, finish, done,
                                   done if at_all is None else at_all,
                                   done if at_first is None else at_first]


def specs(mode):
    ops = OPS[mode]
    nm = lambda prim, where: name("bank", prim, where, ops=ops, workers=WORKERS)  # noqa: E731
    racy, exact = {"exact": "false"}, {"exact": "true"}
    return [
        Spec(nm("none", "threads"), lambda: _threads(ops, False), RATE, racy),
        Spec(nm("std_mutex", "threads"), lambda: _threads(ops, True), RATE, exact),
        Spec(nm("none", "processes"), lambda: _processes(ops, False), RATE, racy),
        Spec(nm("posix_named_semaphore", "processes"), lambda: _processes(ops, True), RATE,
             exact),
    ]


def score(word, laps, exact):
    """The C++ rows' counters (bank/score.h) of one round from the final
    word and the workers' laps (LAP numbers each)."""
    laps = [laps[LAP * w:LAP * (w + 1)] for w in range(WORKERS)]
    starts = [lap[0] for lap in laps]
    finishes = [lap[1] for lap in laps]
    total = sum(lap[2] for lap in laps)
    contended = [max(lap[4] - lap[3], 0) for lap in laps]
    round_ns = max(finishes) - min(starts)
    contended_ns = max(min(finishes) - max(starts), 0)
    if exact:
        expect("final balance", word, INITIAL)
        final, lost = word, abs(word - INITIAL)
    else:
        deposits = sum(lap[2] for w, lap in enumerate(laps) if _step(w) > 0)
        withdrawals = total - deposits
        if max(deposits, withdrawals) > MAX_TALLY:
            raise RuntimeError("too many updates in one round for the tally to count lost ones")
        got_d, got_w = word >> TALLY_SHIFT, word & MAX_TALLY
        if got_d > deposits or got_w > withdrawals:
            raise RuntimeError("the tally holds more updates than were made")
        final = INITIAL + got_d - got_w
        lost = (deposits - got_d) + (withdrawals - got_w)
    round_rate = total / (round_ns * 1e-9) if round_ns > 0 else 0.0
    if sum(contended) > 0 and contended_ns > 0:
        rate = sum(contended) / (contended_ns * 1e-9)
    else:
        rate = round_rate
    return round_ns, {
        "ops_per_second": rate, "ns_per_op": 1e9 / rate if rate > 0 else 0.0,
        "round_ops_per_second": round_rate,
        "contended_share": (sum(contended) / total
                            if total and contended_ns > 0 else 0.0),
        "fairness_min": min(contended), "fairness_max": max(contended),
        "fairness": min(contended) / max(contended) if max(contended) > 0 else 1.0,
        "final_balance": final, "expected_balance": INITIAL,
        "balance_error": abs(final - INITIAL), "lost_updates": lost,
        "workers": WORKERS}


def _sample(word, laps, exact):
    ns, counters = score(word, laps, exact)
    return Sample(ns, 1, counters)


def _start_line(ready, go):
    """Releases the workers once every one is waiting at the start line."""
    for _ in range(WORKERS):
        if not ready.acquire(timeout=lifecycle.JOIN_TIMEOUT_S):
            raise RuntimeError("bank: a worker never reached the start line")
    go.set()


@contextlib.contextmanager
def _threads(ops, locked):
    def once():
        cell, go = Cell(INITIAL if locked else 0), threading.Event()
        ready = threading.Semaphore(0)
        lock = threading.Lock() if locked else None
        phase, phase_lock, laps = [0], threading.Lock(), [0] * (LAP * WORKERS)
        ts = [threading.Thread(target=worker, args=(cell, lock, locked, w, ops, ready, go, phase,
                                                    phase_lock, laps))
              for w in range(WORKERS)]
        for t in ts:
            t.start()
        _start_line(ready, go)
        for t in ts:
            t.join()
        return _sample(cell.value, laps, locked)
    yield once


@contextlib.contextmanager
def _processes(ops, locked):
    ctx = multiprocessing.get_context("fork")

    def once():
        cell, go = ctx.Value("q", INITIAL if locked else 0, lock=False), ctx.Event()
        ready = ctx.Semaphore(0)
        lock = ctx.Lock() if locked else None
        phase, phase_lock = ctx.Array("q", 1, lock=False), ctx.Lock()
        laps = ctx.Array("q", LAP * WORKERS, lock=False)
        with lifecycle.reaped([ctx.Process(target=lifecycle.quiet,
                                           args=(worker, cell, lock, locked, w, ops, ready,
                                                 go, phase, phase_lock, laps))
                               for w in range(WORKERS)]) as procs:
            lifecycle.start_all(procs)
            _start_line(ready, go)
            lifecycle.join_all(procs, "bank")
        return _sample(cell.value, list(laps), locked)
    yield once
