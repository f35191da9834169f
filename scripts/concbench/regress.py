"""The regression gate: did the working tree make any benchmark slower?

Usage: regress.py [--base REV | --baseline JSON [--new JSON]]
                  [--binary-base PATH] [--binary-new PATH] [--threshold 0.05]
                  [--alpha 0.05] [--rounds 3] [--suite quick|smoke|full]
                  [--filter REGEX] [--repetitions N] [--args ARGS]
                  [--base-args ARGS] [--new-args ARGS] [--out DIR]
                  [--repo DIR] [--report JSON] [--quiet]

Builds the base revision (default HEAD~1, in a temporary git worktree that is
always removed) and the working tree, then runs both binaries interleaved
(base, new, base, new, ...) for --rounds rounds so that machine drift hits
both alike, pools the repetitions, and judges each benchmark with the rule in
gate.decide(). Exit status: 0 nothing slower, 1 something slower
or failing, 2 bad usage or input.
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

from concbench import cli, gate, results, units


BINARY = os.path.join("build", "release", "benchmarks", "concbench")


def git(root, *args):
    r = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise cli.CbError(f"git {' '.join(args)} failed: "
                         f"{(r.stderr.strip().splitlines() or ['?'])[-1]}")
    return r.stdout.strip()


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


def run_binary(binary, args, out, quiet):
    if not os.access(binary, os.X_OK):
        raise cli.CbError(f"benchmark binary {binary} does not exist or is not executable")
    cmd = [binary, *args, f"--out={out}"]
    print(f"concbench: {' '.join(shlex.quote(c) for c in cmd)}", file=sys.stderr)
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL if quiet else None)
    if r.returncode != 0:
        raise cli.CbError(f"{binary} exited with status {r.returncode}")
    return results.load_run(out)


def suite_args(args):
    out = [] if args.suite == "full" else [f"--{args.suite}"]
    if args.filter:
        out.append(f"--filter={args.filter}")
    if args.repetitions:
        out.append(f"--repetitions={args.repetitions}")
    return out + shlex.split(args.args)


def run_rounds(sides, rounds, tmp, quiet):
    """Runs each (label, binary, args) in turn, rounds times; returns merged runs."""
    runs_by_side = {label: [] for label, _, _ in sides}
    for i in range(rounds):
        for label, binary, extra in sides:
            print(f"concbench: round {i + 1}/{rounds}: {label}", file=sys.stderr)
            out = os.path.join(tmp, f"{label}_{i}.json")
            runs_by_side[label].append(run_binary(binary, extra, out, quiet))
    return {label: results.merge_runs(runs) for label, runs in runs_by_side.items()}


class Worktree:
    """A detached git worktree of rev in a temporary directory, removed on exit
    (also on Ctrl-C and SIGTERM, which main() turns into KeyboardInterrupt)."""

    def __init__(self, root, rev):
        self.root, self.rev = root, rev
        self.tmp = tempfile.mkdtemp(prefix="concbench-base-")
        self.path = os.path.join(self.tmp, "tree")

    def __enter__(self):
        git(self.root, "worktree", "add", "--detach", self.path, self.rev)
        return self.path

    def __exit__(self, *exc):
        subprocess.run(["git", "-C", self.root, "worktree", "remove", "--force", self.path],
                       capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        subprocess.run(["git", "-C", self.root, "worktree", "prune"], capture_output=True)
        return False


def judge(base, new, args):
    """Prints the table and returns the exit status."""
    rows, only_base, only_new = gate.compare_runs(base, new, args.threshold, args.alpha)
    table = [[r["name"], units.fmt_time(r["base_ns"]), units.fmt_time(r["new_ns"]),
              gate.fmt_change(r["change"]), gate.fmt_p(r["p"]), f"{r['n'][0]}/{r['n'][1]}",
              r["verdict"]] for r in rows]
    print(f"base: {units.context_line(base.context)}")
    print(f"new:  {units.context_line(new.context)}")
    print()
    print("\n".join(gate.format_table(["benchmark", "base median", "new median", "change",
                                     "U p (1-sided)", "reps", "verdict"], table)))
    geo = gate.geomean([1 + r["change"] for r in rows])
    print(f"\ngeometric mean of the median ratios over {len(rows)} benchmarks: "
          f"{gate.fmt_change(geo - 1)}")
    print(f"rule: slower when the new median is at least {args.threshold * 100:g}% above "
          f"the base median and a one-sided Mann-Whitney U test gives p < {args.alpha:g}")
    for line in gate.missing_lines(only_base, only_new, "base", "new"):
        print(line)
    few = [r["name"] for r in rows if r["verdict"] == "too few reps"]
    if few:
        print(f"concbench: warning: {len(few)} benchmarks have too few repetitions for the "
              f"U test at alpha {args.alpha:g}; raise --rounds or --repetitions", file=sys.stderr)
    slower = [r["name"] for r in rows if r["verdict"] == "slower"]
    broken = [n for n, b in new.benches.items() if b.errors]
    if broken:
        print(f"concbench: failing in the new run: {', '.join(broken)}", file=sys.stderr)
    if slower:
        print(f"concbench: slower: {', '.join(slower)}", file=sys.stderr)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump({"rows": rows, "only_base": only_base, "only_new": only_new,
                       "slower": slower, "failed": broken, "threshold": args.threshold,
                       "alpha": args.alpha}, f, indent=1)
    return 1 if slower or broken else 0


def parse():
    p = cli.ArgParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="HEAD~1", help="base revision to build (default HEAD~1)")
    p.add_argument("--baseline", help="compare against this stored run instead of a revision")
    p.add_argument("--new", help="with --baseline: use this run instead of running the binary")
    p.add_argument("--binary-base", help="prebuilt base binary (skips building the base)")
    p.add_argument("--binary-new", help="prebuilt new binary (skips building the working tree)")
    p.add_argument("--threshold", type=float, default=0.05,
                   help="minimum slowdown of the median (default 0.05 = 5%%)")
    p.add_argument("--alpha", type=float, default=0.05, help="U test level (default 0.05)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    p.add_argument("--suite", choices=("quick", "smoke", "full"), default="quick")
    p.add_argument("--filter", help="regex passed to the binary's --filter")
    p.add_argument("--repetitions", type=int, help="passed to the binary's --repetitions")
    p.add_argument("--args", default="", help="extra arguments for both binaries")
    p.add_argument("--base-args", default="", help="extra arguments for the base binary")
    p.add_argument("--new-args", default="", help="extra arguments for the new binary")
    p.add_argument("--out", help="directory to keep base.json and new.json (pooled rounds)")
    p.add_argument("--repo", help="repository to build (default: the one holding this script)")
    p.add_argument("--report", help="also write the verdicts as JSON to this file")
    p.add_argument("--quiet", action="store_true", help="hide the binaries' progress")
    args = p.parse_args()
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.new and not args.baseline:
        p.error("--new needs --baseline")
    return args


def main():
    args = parse()

    def on_term(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    cli.require("scipy.stats")
    here = args.repo or os.path.dirname(os.path.abspath(__file__))
    common = suite_args(args)
    base_args = common + shlex.split(args.base_args)
    new_args = common + shlex.split(args.new_args)
    with tempfile.TemporaryDirectory(prefix="concbench-regress-") as tmp:
        if args.baseline:
            base = results.load_run(args.baseline)
            if args.new:
                new = results.load_run(args.new)
            else:
                binary = args.binary_new or build(git(here, "rev-parse", "--show-toplevel"))
                new = run_rounds([("new", binary, new_args)], args.rounds, tmp,
                                 args.quiet)["new"]
        else:
            root = git(here, "rev-parse", "--show-toplevel") if not (
                args.binary_base and args.binary_new) else None
            new_bin = args.binary_new or build(root)
            if args.binary_base:
                runs = run_rounds([("base", args.binary_base, base_args),
                                   ("new", new_bin, new_args)], args.rounds, tmp, args.quiet)
            else:
                try:
                    rev = git(root, "rev-parse", "--verify", f"{args.base}^{{commit}}")
                except cli.CbError:
                    raise cli.CbError(f"base revision {args.base} does not exist in {root} "
                                     "(use --base REV, --baseline JSON or --binary-base)") from None
                with Worktree(root, rev) as tree:
                    runs = run_rounds([("base", build(tree), base_args),
                                       ("new", new_bin, new_args)], args.rounds, tmp,
                                      args.quiet)
            base, new = runs["base"], runs["new"]
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            for label, run in (("base", base), ("new", new)):
                with open(os.path.join(args.out, f"{label}.json"), "w", encoding="utf-8") as f:
                    json.dump(results.to_json(run), f, indent=1)
        return judge(base, new, args)

