#!/usr/bin/env bash
# Runs every benchmark at tiny sizes: each must run and verify its result
# (the binary exits non-zero otherwise), and the JSON must keep the format
# that the scripts and CI read.
set -eu
bin=${1:?usage: smoke_test.sh path/to/concbench check_output.py}
checker=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" --smoke --repetitions=2 --out="$tmp/smoke.json" >"$tmp/stdout" 2>"$tmp/stderr" || {
  cat "$tmp/stderr" >&2
  exit 1
}
/usr/bin/python3 "$checker" "$tmp/smoke.json" "$("$bin" --smoke --list | wc -l)"
