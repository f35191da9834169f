#!/usr/bin/env bash
# The binary's command line: bad input gets one clear line and exit status 2;
# an interrupted run leaves no partial output, segment or child behind.
set -u
bin=${1:?usage: cli_test.sh path/to/concbench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect_usage_error DESCRIPTION ARGS...: exit 2 and exactly one stderr line.
expect_usage_error() {
  local what=$1; shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local status=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [[ $status -ne 2 || $lines -ne 1 ]] || ! grep -q '^concbench: ' "$tmp/err"; then
    echo "FAIL: $what: status $status, stderr:" >&2
    cat "$tmp/err" >&2
    failures=$((failures + 1))
  else
    echo "ok: $what: $(cat "$tmp/err")"
  fi
}

expect_usage_error "filter matching nothing" --smoke --filter=no_such_benchmark
expect_usage_error "invalid filter regex" --smoke '--filter=(('
expect_usage_error "unwritable output path" --smoke --filter=serial --out=/nonexistent/dir/x.json
expect_usage_error "zero workers" --smoke --workers=0
expect_usage_error "negative workers" --smoke --workers=-2
expect_usage_error "non-numeric workers" --smoke --workers=two
expect_usage_error "zero repetitions" --smoke --repetitions=0
expect_usage_error "unknown option" --smoke --frobnicate
expect_usage_error "malformed slowdown" --smoke --test_slowdown=serial

# --workers changes the sweep.
"$bin" --smoke --list --workers=3 >"$tmp/list" 2>&1
if ! grep -q 'workers:3' "$tmp/list" || grep -q 'workers:1' "$tmp/list"; then
  echo "FAIL: --workers=3 did not set the sweep" >&2
  failures=$((failures + 1))
fi

# Ctrl-C in the middle of a run: nothing may be left behind.
"$bin" --quick --filter='process_pool|process_per_task' --out="$tmp/run.json" \
  >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
status=$?
sleep 0.2
leftover_segments=$(ls /dev/shm | grep -c -- "-$pid-" || true)
leftover_children=$(pgrep -P "$pid" | wc -l)
if [[ $status -eq 0 || -e "$tmp/run.json.partial" || $leftover_segments -ne 0 ||
      $leftover_children -ne 0 ]]; then
  echo "FAIL: interrupted run: status $status, partial file: $(ls "$tmp"), " \
       "segments $leftover_segments, children $leftover_children" >&2
  failures=$((failures + 1))
else
  echo "ok: interrupted run left nothing behind (status $status)"
fi

echo "$failures failed"
[[ $failures -eq 0 ]]
