"""concbench's CPython rows: the seed concepts run by Debian's
/usr/bin/python3 (standard library only), written as Google Benchmark JSON
that scripts/merge.py adds to the C++ run. Run it as a directory:

  /usr/bin/python3 benchmarks/cpython [--quick | --smoke] [--filter=[-]REGEX]
                   [--repetitions=N] [--out=PATH] [--list]

Exit status: 0 every result verified (or no row was chosen, or the rows
were skipped, with one line saying why, and no file written), 1 a result was wrong or a benchmark
failed (the JSON says which), 2 bad input, 130 interrupted.
"""

import argparse
import os
import sys

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def die(message, code=EXIT_USAGE):
    print(f"concbench: {message}", file=sys.stderr)
    sys.exit(code)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        die(f"cpython: {message} (see --help)")


def parse(argv):
    p = Parser(prog="cpython", description="CPython rows of concbench")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a short run (3 repetitions)")
    size.add_argument("--smoke", action="store_true", help="tiny sizes, 1 repetition")
    p.add_argument("--filter", default="", help="run the names REGEX matches; -REGEX negates")
    p.add_argument("--repetitions", type=int, help="repetitions of every benchmark (1 to 1000)")
    p.add_argument("--out", help="write the JSON here")
    p.add_argument("--list", action="store_true", help="print the chosen names and exit")
    args = p.parse_args(argv)
    if args.repetitions is not None and not 1 <= args.repetitions <= 1000:
        die(f"cpython: --repetitions must be 1 to 1000, not {args.repetitions}")
    if not args.list and not args.out:
        die("cpython: --out=PATH is required (or --list)")
    if args.out and not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        die(f"cpython: --out directory {os.path.dirname(args.out) or '.'} does not exist")
    return args


def main(argv):
    args = parse(argv)
    try:
        import bank, ipc, runner, sleep_io, spawn, sum_squares  # noqa: E401
    except ImportError as e:
        print(f"concbench: CPython rows skipped: {sys.executable} lacks {e.name} ({e})",
              file=sys.stderr)
        return 0
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    reps = args.repetitions or runner.REPETITIONS[mode]
    try:
        specs = runner.select([s for m in (sum_squares, sleep_io, bank, ipc, spawn)
                               for s in m.specs(mode)], args.filter)
    except runner.BadInput as e:
        die(f"cpython: {e}")
    if args.list:
        print("\n".join(s.name for s in specs))
        return 0
    if not specs:
        print(f"concbench: CPython rows: --filter '{args.filter}' matches none; nothing written",
              file=sys.stderr)
        return 0
    doc, ok = runner.run_all(specs, mode, reps, lambda line: print(line, file=sys.stderr))
    runner.write_json(doc, args.out)
    return 0 if ok else EXIT_FAILED


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        die("cpython: interrupted", EXIT_INTERRUPTED)
