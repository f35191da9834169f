"""The chaos loop: random signals and kills sent to random processes of
running suites, N times, and what each left behind.

Usage: chaos.py [--iterations N] [--binary PATH] [--dir DIR] [--seed S]
                [--suite quick|smoke] [--hang-after SECONDS] [--min-delay SECONDS]

Each iteration runs the binary on one workload (drawn at random) with its
own run id, waits a random time, and sends SIGKILL, SIGTERM, SIGINT or
SIGHUP to the run's main process or to one of its descendants (drawn at
random). Then it checks what the issue on faults asks for:
- hang: the run did not end within --hang-after seconds of the signal;
- lost run: a signal to a descendant, yet no whole JSON at --out
  (the run should fail that benchmark, or not notice, and go on);
- half JSON: anything at --out that is not a whole result;
- leftover processes: any process of the run alive 2 s after it ended;
- leaked objects: segments, semaphores, sockets or partial files of the run
  still there after the next run started (a killed main process cannot
  clean up; the next run reclaims, see reclaim.h), or at once otherwise.
A last clean-up run reclaims what the final iteration left. Writes
DIR/iterations.jsonl and DIR/report.json; exit status 1 when any iteration
hung, lost its result or leaked.
"""

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from concbench import cli, regress

SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
MARK = "CONCBENCH_CHAOS"
GRACE_S = 2.0        # children watch their parent and exit on their own
FIRST_GUESS_S = 3.0  # a run's length before any of its workload has ended


def is_zombie(pid):
    """True when pid has exited and waits to be reaped (a signal to it is
    accepted and does nothing), or is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def marked_processes(token):
    """Pids of live processes whose environment carries MARK=token (a run
    and everything it forked or spawned), zombies aside."""
    needle = f"{MARK}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0") and not is_zombie(entry):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def default_signals():
    """In the run, before exec: the signals this loop sends take their
    default action (a shell's background job inherits SIGINT ignored, and
    an ignored signal stays ignored across exec)."""
    for signo in SIGNALS[1:] + (signal.SIGQUIT,):
        signal.signal(signo, signal.SIG_DFL)


def objects_of(run_id, out):
    """Paths and allocated bytes of the shared objects named for run_id and
    the partial files beside out."""
    marks = (f"concbench-{run_id}-", f"sem.concbench-{run_id}-")
    places = [("/dev/shm", marks), (tempfile.gettempdir(), marks)]
    found = []
    for folder, prefixes in places:
        for name in os.listdir(folder):
            if name.startswith(prefixes):
                found.append(os.path.join(folder, name))
    folder, base = os.path.split(out)
    for name in os.listdir(folder or "."):
        if name.startswith(base + ".") and name.endswith(".partial") and \
                f"concbench-{run_id}-" in name:
            found.append(os.path.join(folder, name))
    sizes = []
    for path in found:
        try:
            sizes.append(os.lstat(path).st_blocks * 512)
        except OSError:
            sizes.append(0)
    return found, sum(sizes)


def whole_result(path):
    """'absent', 'whole' or 'half' for the JSON at path."""
    if not os.path.exists(path):
        return "absent"
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if isinstance(doc.get("benchmarks"), list) and \
                "concbench" in doc.get("context", {}):
            return "whole"
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return "half"


def run_environment(run_id):
    """The run's environment: its run id in every object name, the mark
    that finds its processes, and reclaim at start switched on (a test's
    CONCBENCH_KEEP_STALE would hide what this loop checks)."""
    env = dict(os.environ, CONCBENCH_RUN_ID=run_id, **{MARK: run_id})
    env.pop("CONCBENCH_KEEP_STALE", None)
    return env


def workloads(binary, suite):
    listed = regress.list_benchmarks(binary, [f"--{suite}"])
    return sorted({name.split("/")[0] for name in listed})


class Iteration:
    """One run of one workload with one signal."""

    def __init__(self, args, index, rng, typical):
        self.index = index
        # Unique to this loop too: two loops at once never judge each
        # other's processes or objects.
        self.run_id = f"chaos{os.getpid()}_{index}"
        self.workload = rng.choice(args.workloads)
        self.signal = rng.choice(SIGNALS)
        self.at_main = rng.random() < 1 / 3
        # Up to the length of this workload's earlier whole runs (of any
        # workload's before it ran once), so that most signals land mid-run.
        guess = typical.get(self.workload, typical.get(None, FIRST_GUESS_S))
        self.delay = rng.uniform(args.min_delay, max(args.min_delay, guess))
        self.pick = rng.random()
        self.out = os.path.join(args.dir, "out.json")
        self.record = {"iteration": index, "workload": self.workload,
                       "signal": signal.Signals(self.signal).name,
                       "target": "main" if self.at_main else "descendant",
                       "delay_s": round(self.delay, 3)}

    def run(self, args):
        if os.path.exists(self.out):
            os.unlink(self.out)
        env = run_environment(self.run_id)
        cmd = [args.binary, f"--{args.suite}", f"--filter=^{self.workload}/",
               "--repetitions=1", f"--out={self.out}"]
        start = time.monotonic()
        with open(os.path.join(args.dir, "last_run.log"), "w") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                    stderr=log, start_new_session=True,
                                    preexec_fn=default_signals)
            try:
                sent = self.send(proc, start)
                try:
                    proc.wait(timeout=args.hang_after)
                    hung = False
                except subprocess.TimeoutExpired:
                    hung = True
                    self.kill_all()
                    proc.wait()
            except BaseException:
                self.kill_all()  # an interrupted loop leaves no run behind
                raise
        # The harness raises every signal it handles again, so a main process
        # the signal reached dies of it; any other status means it had
        # already finished when the signal came.
        if sent == "main" and not hung and proc.returncode != -self.signal:
            sent = "nobody"
        self.record.update(elapsed_s=round(time.monotonic() - start, 3),
                           sent=sent, hung=hung, status=proc.returncode)
        return proc

    def send(self, proc, start):
        """Sends the signal after the delay; returns whom it reached ('main',
        'descendant', or 'nobody' when the run ended first)."""
        while time.monotonic() - start < self.delay:
            if proc.poll() is not None:
                return "nobody"
            time.sleep(0.01)
        target = proc.pid
        if is_zombie(proc.pid):
            return "nobody"  # its work is done; it waits to be reaped
        if not self.at_main:
            others = [p for p in marked_processes(self.run_id) if p != proc.pid]
            if not others:
                self.record["target"] = "main (no descendant alive)"
            else:
                target = sorted(others)[int(self.pick * len(others))]
        if is_zombie(target):
            return "nobody"
        try:
            with open(f"/proc/{target}/comm", encoding="utf-8") as f:
                self.record["target_name"] = f.read().strip()
            os.kill(target, self.signal)
        except (ProcessLookupError, FileNotFoundError):
            return "nobody"
        return "main" if target == proc.pid else "descendant"

    def kill_all(self):
        for pid in marked_processes(self.run_id):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def judge(self):
        """Fills the record's verdicts that can be judged now; returns True
        when its objects can only be judged after the next run started."""
        time.sleep(0.05)
        deadline = time.monotonic() + GRACE_S
        while marked_processes(self.run_id) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = marked_processes(self.run_id)
        if left:
            self.kill_all()
        result = whole_result(self.out)
        main_killed = self.record["sent"] == "main"
        lost = (not main_killed and not self.record["hung"] and
                result != "whole")
        self.record.update(leftover_processes=len(left), result=result,
                           half_json=result == "half", lost_run=lost)
        # A main process killed by SIGKILL cannot clean up: the next run's
        # start reclaims its objects. Anything else cleans up as it ends.
        deferred = main_killed and self.signal == signal.SIGKILL
        if not deferred:
            self.count_objects()
        return deferred

    def count_objects(self):
        paths, size = objects_of(self.run_id, self.out)
        self.record.update(leaked_objects=len(paths), leaked_bytes=size,
                           leaked_paths=paths[:5])


def summarize(records):
    count = len(records)

    def total(key):
        return sum(r.get(key, 0) for r in records)

    return {
        "iterations": count,
        "signals_reached": {who: sum(r["sent"] == who for r in records)
                            for who in ("main", "descendant", "nobody")},
        "hangs": sum(r["hung"] for r in records),
        "lost_runs": sum(r["lost_run"] for r in records),
        "half_json": sum(r["half_json"] for r in records),
        "leftover_processes": total("leftover_processes"),
        "leaked_objects": total("leaked_objects"),
        "leaked_bytes": total("leaked_bytes"),
        "median_run_s": statistics.median(r["elapsed_s"] for r in records)
        if records else 0,
    }


def failed(record):
    return (record["hung"] or record["lost_run"] or record["half_json"] or
            record["leftover_processes"] or record.get("leaked_objects"))


def sweep_run(args):
    """A short run on the same --out: its start reclaims what a killed run
    left (segments, semaphores, sockets, partial files)."""
    out = os.path.join(args.dir, "out.json")
    subprocess.run([args.binary, "--smoke", "--filter=^limits/thread_create",
                    f"--out={out}"], env=run_environment("chaos_sweep"),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)


def line(it):
    r = it.record
    verdict = "FAILED" if failed(r) else "ok"
    whom = r["sent"]
    if whom != "nobody":
        whom += f" ({r.get('target_name', '?')})"
    return (f"{r['iteration'] + 1}: {r['workload']}, {r['signal']} to "
            f"{whom} after {r['delay_s']} s: status {r['status']}, "
            f"result {r['result']}, {verdict}")


def main():
    p = cli.ArgParser(prog="chaos.py", description=__doc__.split("\n")[0])
    p.add_argument("--iterations", type=int, default=200)
    p.add_argument("--binary", default=regress.BINARY)
    p.add_argument("--dir", default=os.path.join("results", "chaos"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--suite", choices=("quick", "smoke"), default="quick")
    p.add_argument("--hang-after", type=float, default=120.0,
                   help="seconds after the signal that count as a hang")
    p.add_argument("--min-delay", type=float, default=0.05,
                   help="the earliest signal, in seconds after the start")
    args = p.parse_args()
    if args.iterations < 1:
        raise cli.CbError("--iterations must be at least 1")
    if args.hang_after <= 0:
        raise cli.CbError("--hang-after must be positive")
    if args.min_delay < 0:
        raise cli.CbError("--min-delay must be at least 0")
    regress.check_binary(args.binary)
    os.makedirs(args.dir, exist_ok=True)
    args.workloads = workloads(args.binary, args.suite)
    rng = random.Random(args.seed)
    typical, durations, records = {}, {}, []
    pending = None  # an iteration whose objects wait for the next start
    with open(os.path.join(args.dir, "iterations.jsonl"), "w") as log:
        for index in range(args.iterations):
            it = Iteration(args, index, rng, typical)
            it.run(args)
            if pending is not None:
                pending.count_objects()
                log.write(json.dumps(pending.record) + "\n")
                print(f"concbench: chaos {line(pending)}", file=sys.stderr)
                pending = None
            if it.judge():
                pending = it
            else:
                log.write(json.dumps(it.record) + "\n")
                print(f"concbench: chaos {line(it)}", file=sys.stderr)
            records.append(it.record)
            if it.record["sent"] != "main" and it.record["status"] in (0, 1):
                durations.setdefault(it.workload, []).append(
                    it.record["elapsed_s"])
                typical[it.workload] = statistics.median(durations[it.workload])
                typical[None] = statistics.median(typical[w] for w in durations)
        sweep_run(args)
        if pending is not None:
            pending.count_objects()
            log.write(json.dumps(pending.record) + "\n")
            print(f"concbench: chaos {line(pending)}", file=sys.stderr)
    summary = summarize(records)
    summary["failed_iterations"] = [r["iteration"] for r in records if failed(r)]
    cli.write_json(os.path.join(args.dir, "report.json"), summary)
    print(json.dumps(summary, indent=1))
    return cli.EXIT_FOUND if summary["failed_iterations"] else cli.EXIT_OK
