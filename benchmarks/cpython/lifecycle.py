"""Nothing leaks: every child process is reaped and every pool joined when
the block ends, by an error, a wrong result or Ctrl-C as well."""

import contextlib
import signal

# How long a result, a reply or a child's exit may take before the benchmark
# fails (instead of hanging as CPython's Pool does when a worker dies).
JOIN_TIMEOUT_S = 30


@contextlib.contextmanager
def reaped(procs):
    """Yields procs (a list, appended to freely); on exit terminates the
    children still running and joins all of them."""
    try:
        yield procs
    finally:
        for p in procs:
            if p.pid is not None and p.is_alive():
                p.terminate()
        for p in procs:
            if p.pid is not None:
                p.join(JOIN_TIMEOUT_S)
                if p.is_alive():
                    p.kill()
                    p.join()
            p.close()


@contextlib.contextmanager
def sigint_ignored():
    """Children started inside never see Ctrl-C: SIGINT is blocked while they
    start, and they keep the blocked mask (fork and exec both inherit it),
    so the parent alone takes the KeyboardInterrupt and ends them, and no
    child prints a traceback. A Ctrl-C meanwhile stays pending for the
    parent, delivered when the block ends."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def ignore_sigint():
    """A child's first step (a pool's initializer): Ctrl-C is the parent's.
    Needed besides sigint_ignored() because forkserver's children get back
    the handlers the server started with."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def quiet(target, *args):
    """A Process target that runs target(*args) with Ctrl-C ignored."""
    ignore_sigint()
    return target(*args)


@contextlib.contextmanager
def pool(ctx, workers):
    """A multiprocessing Pool, terminated and joined on exit."""
    with sigint_ignored():
        p = ctx.Pool(workers, initializer=ignore_sigint)
    try:
        yield p
    finally:
        p.terminate()
        p.join()


def start_all(procs):
    with sigint_ignored():
        for p in procs:
            p.start()


def join_all(procs, what):
    """Joins the children; a child that failed or outlives the timeout is a
    RuntimeError (reaped() then ends it)."""
    for p in procs:
        p.join(JOIN_TIMEOUT_S)
    bad = [p.exitcode for p in procs if p.exitcode != 0]
    if bad:
        status = "did not exit" if bad[0] is None else f"exited with status {bad[0]}"
        raise RuntimeError(f"{what}: a child {status}")
