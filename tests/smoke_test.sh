#!/usr/bin/env bash
# Runs every benchmark at tiny sizes: each must run and verify its result
# (the binary exits non-zero otherwise), the JSON must parse as strict JSON
# (nlohmann_json) and keep the format that the scripts and CI read.
set -eu
bin=${1:?usage: smoke_test.sh path/to/concbench check_output.py json_check}
checker=${2:?}
json_check=${3:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" --smoke --repetitions=2 --out="$tmp/smoke.json" >"$tmp/stdout" 2>"$tmp/stderr" || {
  grep -a 'ERROR OCCURRED' "$tmp/stdout" >&2
  grep -av '^\[' "$tmp/stderr" >&2
  exit 1
}
"$bin" --smoke --list=json >"$tmp/list.json"
# The machine's floors are listed in every mode (check_output.py checks that
# every floor a benchmark names is one of them).
"$bin" --smoke --list | grep -qx 'limits/fork_exit_wait' || {
  echo "smoke: the limits workload is not listed" >&2
  exit 1
}
"$json_check" "$tmp/smoke.json" "$tmp/list.json"
/usr/bin/python3 "$checker" "$tmp/smoke.json" "$tmp/list.json"
