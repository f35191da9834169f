"""Adds the benchmarks of one Google Benchmark JSON file (the CPython rows,
benchmarks/cpython, or the MPI rows, concbench_mpi) to a concbench run, so that one file holds both and
every report pairs them.

Usage: merge.py --into concbench.json --add cpython.json [--out PATH]
The result keeps the run's context, appends the added benchmarks'
descriptions (context.concbench.benchmarks: their metrics) and a summary of
the added file's context under context.concbench.merged; the added
families are renumbered after the run's, so family_index stays unique.
Writes --out (default: --into, replaced atomically).
Exit status: 0 merged; 2 bad usage or input (nothing written).
"""

import json
import os
import sys

from concbench import cli, results

# What the merged file says about the added file's own context.
MERGED_CONTEXT = ("executable", "python_version", "python_implementation", "concbench_mode",
                  "date", "load_avg", "mpi_ranks", "mpi_hosts", "mpi_library")


def check(path, data):
    """Raises CbError unless data is Google Benchmark JSON whose entries all
    have a name and, unless failed, a time (every entry may have failed)."""
    entries = data.get("benchmarks") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise cli.CbError(f"{path} is not Google Benchmark JSON (no 'benchmarks' list)")
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str):
            raise cli.CbError(f"{path} is not Google Benchmark JSON (entry {i} has no name)")
        if e.get("error_occurred"):
            continue
        t = e.get("real_time")
        if not isinstance(t, (int, float)) or isinstance(t, bool) or \
                e.get("time_unit", "ns") not in results.UNIT_NS:
            raise cli.CbError(f"{path} is not Google Benchmark JSON (entry {i} "
                              f"'{e['name']}' has no real_time/time_unit)")
    return entries


def _names(entries):
    return {results.contract_name(e.get("run_name") or e["name"]) for e in entries}


def merge(base, added, added_path):
    """The merged document (base is not modified)."""
    base_entries, add_entries = base["benchmarks"], added["benchmarks"]
    both = sorted(_names(base_entries) & _names(add_entries))
    if both:
        raise cli.CbError(f"{added_path} repeats a benchmark of the run ({both[0]}"
                          f"{f' and {len(both) - 1} more' if len(both) > 1 else ''}); "
                          "merge each file once")
    context = json.loads(json.dumps(base.get("context") or {}))
    own = context.setdefault("concbench", {})
    # After every family and every description of the run, so that a
    # family_index still points at its description.
    offset = max(1 + max((e["family_index"] for e in base_entries
                          if isinstance(e.get("family_index"), int)), default=-1),
                 len(own.get("benchmarks") or []))
    families = {}
    merged_entries = list(base_entries)
    for e in add_entries:
        e = dict(e)
        key = e.get("family_index", e["name"])
        e["family_index"] = families.setdefault(key, offset + len(families))
        merged_entries.append(e)
    add_ctx = added.get("context") if isinstance(added.get("context"), dict) else {}
    add_own = add_ctx.get("concbench") if isinstance(add_ctx.get("concbench"), dict) else {}
    described = add_own.get("benchmarks") if isinstance(add_own.get("benchmarks"), list) else []
    own["benchmarks"] = list(own.get("benchmarks") or []) + described
    summary = {k: add_ctx[k] for k in MERGED_CONTEXT if k in add_ctx}
    summary.update({k: add_own[k] for k in ("impl", "mode", "repetitions", "start_method",
                                            "load_avg_start", "loaded") if k in add_own})
    summary["file"] = os.path.basename(added_path)
    own["merged"] = list(own.get("merged") or []) + [summary]
    return {**base, "context": context, "benchmarks": merged_entries}


def main():
    p = cli.ArgParser(prog="merge.py", description=__doc__.splitlines()[0])
    p.add_argument("--into", required=True, help="the concbench run (concbench.json)")
    p.add_argument("--add", required=True, help="the file whose benchmarks are added")
    p.add_argument("--out", help="where to write (default: --into)")
    args = p.parse_args()
    base = results._load_json(args.into)  # pylint: disable=protected-access
    added = results._load_json(args.add)  # pylint: disable=protected-access
    check(args.into, base)
    check(args.add, added)
    doc = merge(base, added, args.add)
    out = args.out or args.into
    tmp = f"{out}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, out)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise cli.CbError(f"cannot write {out}: {e.strerror or e}") from None
    print(f"concbench: added {len(added['benchmarks'])} entries of {args.add} to {out}",
          file=sys.stderr)
    return 0
