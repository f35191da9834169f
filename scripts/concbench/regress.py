"""The regression gate: did the working tree make any benchmark slower?

Usage: regress.py [--base REV | --baseline JSON [--new JSON]]
                  [--binary-base PATH] [--binary-new PATH]
                  [--suite quick|smoke|full] [--filter REGEX] [--repetitions N]
                  [--rounds N] [--chunk N] [--threshold T] [--alpha A]
                  [--sensitivity S] [--args ARGS] [--base-args ARGS]
                  [--new-args ARGS] [--out DIR] [--report JSON] [--markdown MD]
                  [--junit XML] [--force]
                  [--repo DIR] [--quiet]

Builds the base revision (default: the merge base with main when the tree is
on a branch, else HEAD~1) in a temporary git worktree that is always removed,
and the working tree; then runs both binaries interleaved at a fine grain:
each round walks the benchmark list in chunks of a few benchmarks and runs
one chunk in base and in new back to back (alternating which goes first), so
that both sides meet the same machine states. gate.py judges each benchmark.

With --baseline, the new rounds run as many repetitions as the baseline
recorded; a baseline of another mode, core count or repetition count is
refused before anything is built or run, one of another CPU, build type or
min_time after the binary's first chunk (like.py).

Exit status: 0 nothing slower; 1 something slower; 2 bad usage or input (two
runs that cannot be compared, a file without repetitions); 3 a benchmark
failed (also: the binary crashed on its chunk); 4 a benchmark had too few
repetitions or rounds to judge; 130 interrupted.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

from concbench import cli, gate, gate_report, like, results, shift, stats, units
from concbench.interleave import run_interleaved

BINARY = os.path.join("build", "release", "benchmarks", "concbench")
EXIT_SLOWER, EXIT_FAILED, EXIT_FEW = 1, 3, 4


def git(root, *args):
    r = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise cli.CbError(f"git {' '.join(args)} failed: "
                          f"{(r.stderr.strip().splitlines() or ['?'])[-1]}")
    return r.stdout.strip()


def default_base(root):
    """The merge base with the main branch when HEAD is not on it, else HEAD~1."""
    for ref in ("origin/main", "main", "origin/master", "master"):
        if subprocess.run(["git", "-C", root, "rev-parse", "--verify", "-q", ref],
                          capture_output=True).returncode != 0:
            continue
        base = subprocess.run(["git", "-C", root, "merge-base", "HEAD", ref],
                              capture_output=True, text=True).stdout.strip()
        if base and base != git(root, "rev-parse", "HEAD"):
            return base
        break
    return "HEAD~1"


def base_revision(root, name):
    """The commit `name` (default: default_base) names; a clear error when
    the clone does not have it."""
    rev_name = name or default_base(root)
    try:
        return git(root, "rev-parse", "--verify", f"{rev_name}^{{commit}}")
    except cli.CbError:
        raise cli.CbError(
            f"base revision {rev_name} does not exist in {root} (a shallow clone? fetch "
            "more history, or use --base REV, --baseline JSON or --binary-base)") from None


def build(tree):
    """Configures and builds the release preset in tree; returns the binary."""
    for cmd in (["cmake", "--preset", "release"], ["cmake", "--build", "--preset", "release"]):
        print(f"concbench: {' '.join(cmd)}  (in {tree})", file=sys.stderr)
        try:
            rc = subprocess.run(cmd, cwd=tree, stdout=sys.stderr).returncode
        except FileNotFoundError:
            raise cli.CbError("cmake not found; run scripts/deps.sh") from None
        if rc != 0:
            raise cli.CbError(f"building {tree} failed ({' '.join(cmd)} exited {rc})")
    return os.path.join(tree, BINARY)


def check_binary(binary):
    if not os.access(binary, os.X_OK):
        raise cli.CbError(f"benchmark binary {binary} does not exist or is not executable")


def list_benchmarks(binary, args):
    """The names `binary args` would run, in its order."""
    check_binary(binary)
    r = subprocess.run([binary, *args, "--list"], capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        raise cli.CbError(f"{binary} --list failed: {last}")
    return [line.strip() for line in r.stdout.splitlines() if line.strip()]


def suite_args(args):
    out = [] if args.suite == "full" else [f"--{args.suite}"]
    if args.repetitions:
        out.append(f"--repetitions={args.repetitions}")
    return out + shlex.split(args.args)


class Worktree:
    """A detached git worktree of rev in a temporary directory, removed on exit
    (also on Ctrl-C and SIGTERM, which main() turns into KeyboardInterrupt)."""

    def __init__(self, root, rev):
        self.root, self.rev = root, rev
        self.tmp = tempfile.mkdtemp(prefix="concbench-base-")
        self.path = os.path.join(self.tmp, "tree")

    def __enter__(self):
        try:
            git(self.root, "worktree", "add", "--detach", self.path, self.rev)
        except BaseException:
            # An interrupt during `worktree add` never reaches __exit__.
            self.__exit__()
            raise
        return self.path

    def __exit__(self, *exc):
        subprocess.run(["git", "-C", self.root, "worktree", "remove", "--force", self.path],
                       capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        subprocess.run(["git", "-C", self.root, "worktree", "prune"], capture_output=True)
        return False


def table(rows):
    out = []
    for r in rows:
        unit = r["metric"]["unit"]
        change = gate.fmt_change(r["ratio"])
        if r["ratio_lo"] is not None and r["ratio_hi"] is not None:
            change += f" [{gate.fmt_change(r['ratio_lo'])}, {gate.fmt_change(r['ratio_hi'])}]"
        mde = "-" if r["mde"] is None else f"{r['mde'] * 100:.1f}%"
        verdict = r["verdict"]
        if verdict == gate.NOISY:
            verdict = f"too noisy to judge at {r['sensitivity'] * 100:g}%"
        elif verdict == gate.FEW:
            verdict = f"too few {r['too_few']}"
        elif r.get("error"):
            verdict = f"{verdict}: {r['error'].split(': ', 1)[-1]}"
        out.append([r["name"], f"{r['metric']['name']} ({r['estimator']})",
                    units.fmt_value(r["base"], unit), units.fmt_value(r["new"], unit),
                    change, mde, gate.fmt_p(r["p"]), f"{r['n'][0]}/{r['n'][1]}", verdict])
    return out


# Why a benchmark had too few to judge (gate.judge's too_few), and the remedy.
FEW_ADVICE = {
    "repetitions": f"fewer than {gate.MIN_REPS} repetitions per side; raise --rounds or "
                   "--repetitions",
    "rounds": f"fewer than {shift.MIN_ROUNDS} rounds shared by both sides (or one run on one "
              "side); raise --rounds",
}


def judge(base, new, args, warnings=(), unlisted=((), ())):
    """Prints the verdicts and returns the exit status. `unlisted`: names that
    only one binary has (never run, so absent from both runs)."""
    rows, only_base, only_new = gate.compare_runs(base, new, args.threshold, args.alpha,
                                                  args.sensitivity)
    only_base, only_new = list(unlisted[0]) + only_base, list(unlisted[1]) + only_new
    for r in rows:
        r["sensitivity"] = args.sensitivity
    for w in warnings:
        print(w)
    print(f"base: {units.context_line(base.context)}")
    print(f"new:  {units.context_line(new.context)}")
    print()
    print("\n".join(gate.format_table(
        ["benchmark", "metric (estimator)", "base", "new", "change [95% CI]", "MDE",
         "p (Holm)", "reps", "verdict"], table(rows))))
    for w in warnings:
        print(w)
    judged = [r for r in rows if r["ratio"] is not None]
    print(f"\ngeometric mean of the worse-ratios over {len(judged)} benchmarks: "
          f"{gate.fmt_change(gate.geomean([r['ratio'] for r in judged]))}")
    print(f"rule: slower when a paired t-test over the rounds of 'worse by more than "
          f"{args.threshold * 100:g}%' gives a Holm-adjusted p < {args.alpha:g} over the "
          f"{len(judged)} judged benchmarks (each run summarised by its metric kind's "
          f"estimator); 'same' only where the MDE is at most {args.sensitivity * 100:g}%")
    for line in gate.missing_lines(only_base, only_new, "base", "new"):
        print(line)
    by = {v: [r["name"] for r in rows if r["verdict"] == v]
          for v in (gate.SLOWER, gate.FAILED, gate.BASE_FAILED, gate.FEW, gate.NOISY,
                    gate.FASTER)}
    loaded = [label for label, run in (("base", base), ("new", new))
              if results.own_context(run.context).get("loaded")]
    if loaded:
        warnings = [*warnings, f"warning: the {' and the '.join(loaded)} run started on a "
                    "loaded machine (load average above its core count): the figures are "
                    "noisier, and more benchmarks are too noisy to judge"]
        print(f"concbench: {warnings[-1]}", file=sys.stderr)
    within = [r["name"] for r in rows if r.get("within_run")]
    if within:
        print(f"concbench: {len(within)} benchmarks had one run per side: their verdicts rest "
              "on repetitions alone and cannot see how much whole runs vary; regress.py "
              "with --rounds measures that", file=sys.stderr)
    stored = [r["name"] for r in rows if r.get("stored_baseline")]
    if stored:
        print(f"concbench: {len(stored)} benchmarks were judged against one stored run: their "
              "variation between runs is estimated from the other side's rounds alone "
              "(stored_baseline in --report)", file=sys.stderr)
    if by[gate.NOISY]:
        print(f"concbench: {len(by[gate.NOISY])} benchmarks too noisy to judge at "
              f"{args.sensitivity * 100:g}% (see the MDE column)", file=sys.stderr)
    for cause, advice in FEW_ADVICE.items():
        few = [r for r in rows if r["verdict"] == gate.FEW and r["too_few"] == cause]
        if few:
            print(f"concbench: {len(few)} benchmarks have {advice}", file=sys.stderr)
    if by[gate.FAILED]:
        print(f"concbench: failed: {', '.join(by[gate.FAILED])}", file=sys.stderr)
    if by[gate.BASE_FAILED]:  # not judged: a crashed base must not pass the gate
        print(f"concbench: failed in the base run (not judged): "
              f"{', '.join(by[gate.BASE_FAILED])}", file=sys.stderr)
    if by[gate.SLOWER]:
        print(f"concbench: slower: {', '.join(by[gate.SLOWER])}", file=sys.stderr)
    if args.report:
        cli.write_json(args.report, {
            "rows": rows, "only_base": only_base, "only_new": only_new,
            "slower": by[gate.SLOWER], "failed": by[gate.FAILED],
            "failed_in_base": by[gate.BASE_FAILED], "too_noisy": by[gate.NOISY],
            "too_few": by[gate.FEW], "faster": by[gate.FASTER], "threshold": args.threshold,
            "alpha": args.alpha, "sensitivity": args.sensitivity, "warnings": list(warnings),
            "loaded": loaded,
            "estimators": {k: stats.estimator_name(k) for k in stats.QUANTILE_BY_KIND}})
    gate_report.write_requested(args, rows, only_base, only_new, warnings,
                                (units.context_line(base.context),
                                 units.context_line(new.context)))
    if by[gate.FAILED] or by[gate.BASE_FAILED]:
        return EXIT_FAILED
    if by[gate.SLOWER]:
        return EXIT_SLOWER
    if by[gate.FEW]:
        return EXIT_FEW
    return 0


# The gate's shape, measured with gate_check.py on the 2-vCPU reference
# machine (README, "The regression gate"): the round is the unit of evidence,
# so many short rounds beat few long ones. 12 rounds of 5 repetitions, 16
# benchmarks per run of the binary, left 71% of the quick suite too noisy to
# judge at 10% (median MDE of CPU-bound benchmarks 75%) where 6 rounds of 10
# repetitions in chunks of 8 left 91% (median 120%), and took 9.1 instead of
# 11.4 minutes on the same busy machine. A chunk still runs for seconds only,
# far inside the machine's slow and fast spells.
ROUNDS = 12
REPETITIONS = 5
CHUNK = 16


def parse():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", help="base revision to build (default: the merge base with "
                                  "main, else HEAD~1)")
    p.add_argument("--baseline", help="compare against this stored run instead of a revision")
    p.add_argument("--new", help="with --baseline: use this run instead of running the binary")
    p.add_argument("--binary-base", help="prebuilt base binary (skips building the base)")
    p.add_argument("--binary-new", help="prebuilt new binary (skips building the working tree)")
    p.add_argument("--threshold", type=float, default=gate.DEFAULT_THRESHOLD,
                   help="practical margin: slower means worse by more than this "
                        "(default %(default)s)")
    p.add_argument("--alpha", type=float, default=gate.DEFAULT_ALPHA,
                   help="chance of any false 'slower' in the suite (default %(default)s)")
    p.add_argument("--sensitivity", type=float, default=gate.DEFAULT_SENSITIVITY,
                   help="'same' only where the MDE is at most this (default %(default)s)")
    p.add_argument("--rounds", type=int, default=ROUNDS,
                   help="interleaved rounds: the gate's evidence (default %(default)s)")
    p.add_argument("--chunk", type=int, default=CHUNK,
                   help="benchmarks per binary run; smaller interleaves finer, larger "
                        "starts the binary less often (default %(default)s)")
    p.add_argument("--suite", choices=("quick", "smoke", "full"), default="quick")
    p.add_argument("--filter", help="only the benchmarks matching this regex")
    p.add_argument("--repetitions", type=int,
                   help=f"passed to the binaries' --repetitions (default: with --baseline, "
                        f"as many as the baseline recorded, else {REPETITIONS}; 0: the "
                        "suite's own)")
    p.add_argument("--args", default="", help="extra arguments for both binaries")
    p.add_argument("--base-args", default="", help="extra arguments for the base binary")
    p.add_argument("--new-args", default="", help="extra arguments for the new binary")
    p.add_argument("--out", help="directory to keep base.json and new.json (pooled rounds)")
    p.add_argument("--repo", help="repository to build (default: the one holding this script)")
    p.add_argument("--report", help="also write the verdicts as JSON to this file")
    p.add_argument("--markdown", help="also write a Markdown summary (CI step summary, "
                                      "pull-request comment) to this file")
    p.add_argument("--junit", help="also write JUnit XML (the CI's test tab) to this file")
    p.add_argument("--force", action="store_true",
                   help="compare unlike runs (different modes, machines, repetitions, "
                        "min_time or benchmark sets); warns on every table")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    args = p.parse_args()
    if not (args.rounds == 1 or args.rounds >= shift.MIN_ROUNDS):
        p.error(f"--rounds must be 1 (repetitions alone) or at least {shift.MIN_ROUNDS} "
                "(the test over the rounds)")
    if args.chunk < 1:
        p.error("--chunk must be at least 1")
    if args.repetitions is not None and args.repetitions < 0:
        p.error("--repetitions must be at least 0 (0: the suite's own)")
    if not 0 < args.alpha < 1 or args.threshold < 0 or args.sensitivity <= 0:
        p.error("--alpha must be in (0, 1), --threshold >= 0, --sensitivity > 0")
    if args.new and not args.baseline:
        p.error("--new needs --baseline")
    if args.out and os.path.exists(args.out) and not os.path.isdir(args.out):
        p.error(f"--out {args.out} is a file; it takes a directory")
    if args.filter:
        try:
            re.compile(args.filter)
        except re.error as e:
            p.error(f"--filter is not a valid regex: {e}")
    return args


def main():
    args = parse()

    def on_term(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    cli.require("numpy")
    here = args.repo or os.path.dirname(os.path.abspath(__file__))
    if args.out:
        try:
            os.makedirs(args.out, exist_ok=True)
        except OSError as e:
            raise cli.CbError(f"cannot create --out {args.out}: {e.strerror or e}") from None
    with tempfile.TemporaryDirectory(prefix="concbench-regress-") as tmp:
        warnings, unlisted = [], ((), ())
        if args.baseline:
            base, new, warnings, unlisted = against_baseline(args, here, tmp)
        else:
            if args.repetitions is None:
                args.repetitions = REPETITIONS
            common = suite_args(args)
            base_args = common + shlex.split(args.base_args)
            new_args = common + shlex.split(args.new_args)
            root = git(here, "rev-parse", "--show-toplevel") if not (
                args.binary_base and args.binary_new) else None
            # The base revision is checked before anything is built.
            rev = None if args.binary_base else base_revision(root, args.base)
            new_bin = args.binary_new or build(root)
            if args.binary_base:
                runs, unlisted = compare_binaries(args.binary_base, new_bin, base_args,
                                                  new_args, args, tmp)
            else:
                with Worktree(root, rev) as tree:
                    runs, unlisted = compare_binaries(build(tree), new_bin, base_args,
                                                      new_args, args, tmp)
            base, new = runs["base"], runs["new"]
        if args.out:
            for label, run in (("base", base), ("new", new)):
                cli.write_json(os.path.join(args.out, f"{label}.json"), results.to_json(run))
        return judge(base, new, args, warnings, unlisted)


def against_baseline(args, here, tmp):
    """--baseline: the stored run and the new one (--new, or rounds of the
    working tree's binary, refused before anything runs when unlike the
    baseline). Returns base, new, the warnings of --force and the names
    only the binary has."""
    base = like.restricted(results.load_run(args.baseline, allow_failed=True), args.filter)
    if args.new:
        new = like.restricted(results.load_run(args.new, allow_failed=True), args.filter)
        return base, new, like.check_like(base, new, args.force), ((), ())
    like.require_repetitions(base)
    if args.repetitions is None:  # like with like: as many per run as the baseline's
        args.repetitions = like.recorded_repetitions(base) or REPETITIONS
    new_args = suite_args(args) + shlex.split(args.new_args)
    like.refuse_unlike(like.context_problems(
        base.context, like.planned_context(args.suite, args.repetitions))
        + like.unrecorded_problems(new_args), args.force)
    binary = args.binary_new or build(git(here, "rev-parse", "--show-toplevel"))
    listed = like.chosen(list_benchmarks(binary, new_args), args.filter)
    names = [n for n in listed if n in base.benches]
    if not names:
        raise cli.CbError(f"{args.baseline} and the binary have no benchmark in common"
                          + (f" matching --filter={args.filter}" if args.filter else ""))
    only_new = [n for n in listed if n not in base.benches]
    like.refuse_unlike(like.set_problems(base.benches, listed), args.force)
    new = run_interleaved(
        [("new", binary, new_args)], names, args.rounds, args.chunk, tmp, args.quiet,
        check=lambda run: like.refuse_unlike(like.context_problems(base.context, run.context),
                                             args.force))["new"]
    return base, new, like.check_like(base, new, args.force, only_new), ((), only_new)


def compare_binaries(base_bin, new_bin, base_args, new_args, args, tmp):
    """Both binaries on the benchmarks both have, interleaved. Returns the
    runs and the (chosen) names only one binary has."""
    base_names = like.chosen(list_benchmarks(base_bin, base_args), args.filter)
    new_names = like.chosen(list_benchmarks(new_bin, new_args), args.filter)
    in_base, in_new = set(base_names), set(new_names)
    names = [n for n in new_names if n in in_base]
    if not names:
        raise cli.CbError("the two binaries have no benchmark in common"
                          + (f" matching --filter={args.filter}" if args.filter else ""))
    runs = run_interleaved([("base", base_bin, base_args), ("new", new_bin, new_args)],
                           names, args.rounds, args.chunk, tmp, args.quiet)
    return runs, ([n for n in base_names if n not in in_new],
                  [n for n in new_names if n not in in_base])
