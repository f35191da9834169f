"""Nothing leaks: every child process is reaped and every pool joined when
the block ends, by an error, a wrong result or Ctrl-C as well."""

import contextlib

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
def pool(ctx, workers):
    """A multiprocessing Pool, terminated and joined on exit."""
    p = ctx.Pool(workers)
    try:
        yield p
    finally:
        p.terminate()
        p.join()


def start_all(procs):
    for p in procs:
        p.start()


def join_all(procs, what):
    """Joins the children; a child that failed is a RuntimeError."""
    for p in procs:
        p.join()
    bad = [p.exitcode for p in procs if p.exitcode != 0]
    if bad:
        raise RuntimeError(f"{what}: a child exited with status {bad[0]}")
