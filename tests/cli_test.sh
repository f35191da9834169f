#!/usr/bin/env bash
# The binary's command line: bad input gets one clear line and exit status 2;
# an interrupted run leaves no partial output, segment or child behind.
set -u
bin=${1:?usage: cli_test.sh path/to/concbench path/to/json_check}
json_check=${2:?usage: cli_test.sh path/to/concbench path/to/json_check}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect_usage_error DESCRIPTION ARGS...: exit 2 and exactly one stderr line.
# The binary runs under ${wrapper[@]} (e.g. prlimit) when set.
wrapper=()
expect_usage_error() {
  local what=$1; shift
  "${wrapper[@]}" "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
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
expect_usage_error "unknown setting" --smoke --set=sum_squares.taks=5
expect_usage_error "setting out of range" --smoke --set=sum_squares.tasks=-1
expect_usage_error "malformed setting" --smoke --set=tasks
expect_usage_error "unknown setting, spaced form" --smoke --set sum_squares.taks=5
expect_usage_error "negative sleep" --smoke --set=sleep_io.sleep_ms=-1
expect_usage_error "negative seed sleep" --smoke --set=sleep_io.seed_sleep_ms=-200
expect_usage_error "zero tasks" --smoke --set=sleep_io.tasks=0
expect_usage_error "more tasks than threads" --smoke --set=sleep_io.tasks=999999
expect_usage_error "non-numeric tasks" --smoke --set=sleep_io.tasks=many
expect_usage_error "zero sum_squares tasks" --smoke --set=sum_squares.tasks=0
expect_usage_error "zero inner bound" --smoke --set=sum_squares.inner=0
expect_usage_error "zero sleep" --smoke --set=sleep_io.sleep_ms=0
expect_usage_error "zero bank ops" --smoke --set=bank.ops=0
if ! grep -q 'bank.ops=0: expected a whole number from 1 to ' "$tmp/err"; then
  echo "FAIL: an out-of-range --set does not name the key, value and range: $(cat "$tmp/err")" >&2
  failures=$((failures + 1))
fi
expect_usage_error "a space after --workers=" --smoke '--workers= 2'
expect_usage_error "--workers= 2, split by the shell" --smoke --workers= 2
expect_usage_error "a space after --repetitions=" --smoke '--repetitions= 3'

# Hostile filters (issue 15): std::regex overflowed the stack or backtracked
# for ever. Each ends within the deadline with one line, or runs correctly.
wrapper=(timeout 10)
long_pattern=$(head -c 100000 /dev/zero | tr '\0' 'a')
expect_usage_error "a 100000-character filter" --smoke --list --filter="$long_pattern"
expect_usage_error "a 100000-character negative filter" --smoke --list --filter=-"$long_pattern"
nested=$(head -c 5000 /dev/zero | tr '\0' '(')
expect_usage_error "5000 nested '('" --smoke --list --filter="$nested"
expect_usage_error "a filter RE2 cannot compile in its memory" --smoke --list \
  '--filter=\pL{1000}'
if ! grep -q '1 MiB' "$tmp/err"; then
  echo "FAIL: the memory bound is not named: $(cat "$tmp/err")" >&2
  failures=$((failures + 1))
fi
expect_usage_error "a lookahead (not RE2)" --smoke --list '--filter=(?=serial)'
expect_usage_error "a bad --test_slowdown regex" --smoke --list '--test_slowdown=((:2'
wrapper=()
deep=$(printf '(%.0s' {1..2000})serial$(printf ')%.0s' {1..2000})
if timeout 10 "$bin" --smoke --list --filter="$deep" >"$tmp/list" 2>"$tmp/err" &&
    grep -q '^sum_squares/serial/' "$tmp/list" && ! grep -qv 'serial' "$tmp/list"; then
  echo "ok: a filter nested 2000 deep lists the serial benchmarks"
else
  echo "FAIL: a filter nested 2000 deep: $(cat "$tmp/err")" >&2
  failures=$((failures + 1))
fi
# (.*.*)*Z: no name has a Z, so it matches nothing (one line), and its
# negation lists everything; a backtracking engine never ended.
wrapper=(timeout 10)
expect_usage_error "(.*.*)*Z against every name" --list '--filter=(.*.*)*Z'
wrapper=()
if [[ $(timeout 10 "$bin" --list '--filter=-(.*.*)*Z' | wc -l) -ne $("$bin" --list | wc -l) ]]; then
  echo "FAIL: --filter=-(.*.*)*Z did not list every benchmark" >&2
  failures=$((failures + 1))
else
  echo "ok: --filter=-(.*.*)*Z lists every benchmark"
fi

# Google Benchmark's flags: each bad one is one concbench line and status 2
# (Google Benchmark printed two unprefixed lines, or its usage and exit 0).
expect_usage_error "--benchmark_min_time=abc" --smoke --benchmark_min_time=abc
expect_usage_error "--benchmark_min_time=-1" --smoke --benchmark_min_time=-1
expect_usage_error "--benchmark_format=foo" --smoke --benchmark_format=foo
expect_usage_error "--benchmark_out_format=xml" --smoke --benchmark_out_format=xml
expect_usage_error "--benchmark_repetitions=0" --smoke --benchmark_repetitions=0
expect_usage_error "--benchmark_color=" --smoke --benchmark_color=
expect_usage_error "--benchmark_time_unit=min" --smoke --benchmark_time_unit=min
expect_usage_error "an unknown --benchmark_ flag" --smoke --benchmark_frobnicate=1
expect_usage_error "--benchmark_min_time without a value" --smoke --benchmark_min_time
expect_usage_error "--out and --benchmark_out" --smoke --filter=serial \
  --out="$tmp/a.json" --benchmark_out="$tmp/b.json"

# --out is checked before any benchmark runs, and nothing is ever followed
# or replaced but a regular file.
expect_usage_error "empty --out" --smoke --filter=serial --out=
expect_usage_error "empty --out, spaced form" --smoke --filter=serial --out ''
mkdir "$tmp/outdir"
expect_usage_error "--out at a directory" --smoke --filter=serial --out="$tmp/outdir"
expect_usage_error "--out ending in a slash" --smoke --filter=serial --out="$tmp/outdir/"
mkfifo "$tmp/fifo"
expect_usage_error "--out at a FIFO" --smoke --filter=serial --out="$tmp/fifo"
touch "$tmp/link-target"
ln -s "$tmp/link-target" "$tmp/link"
expect_usage_error "--out at a symlink" --smoke --filter=serial --out="$tmp/link"
ln -s "$tmp/absent-target" "$tmp/dangling"
expect_usage_error "--out at a dangling symlink" --smoke --filter=serial --out="$tmp/dangling"
if [[ ! -p "$tmp/fifo" || ! -L "$tmp/link" || -s "$tmp/link-target" || ! -d "$tmp/outdir" ||
      -e "$tmp/absent-target" ]]; then
  echo "FAIL: a refused --out was changed: $(ls -l "$tmp")" >&2
  failures=$((failures + 1))
fi
# A device node in the scratch directory (never a real device): /dev/null's
# numbers, 1,3. Creating one needs CAP_MKNOD and a mount without nodev.
if mknod "$tmp/device" c 1 3 2>/dev/null; then
  expect_usage_error "--out at a character device" --smoke --filter=serial --out="$tmp/device"
  if [[ ! -c "$tmp/device" ]]; then
    echo "FAIL: --out replaced the device node" >&2
    failures=$((failures + 1))
  fi
else
  echo "skip: --out at a device node: mknod not permitted here"
fi
if [[ -n $(compgen -G "$tmp/*.partial") || -n $(compgen -G "$tmp/outdir/*") ]]; then
  echo "FAIL: a refused --out left files: $(ls -A "$tmp" "$tmp/outdir")" >&2
  failures=$((failures + 1))
fi

# A valid path longer than 255 bytes (each component shorter) works; the
# partial file's name is shortened to fit NAME_MAX.
long_dir="$tmp/$(printf 'd%.0s' {1..200})/$(printf 'e%.0s' {1..200})"
mkdir -p "$long_dir"
long_out="$long_dir/$(printf 'f%.0s' {1..250})"
"$bin" --smoke --filter='^spawn/thread_start_join' --out="$long_out" >/dev/null 2>"$tmp/err"
status=$?
if [[ $status -ne 0 || ! -f "$long_out" || -n $(compgen -G "$long_dir/*.partial") ]]; then
  echo "FAIL: --out with a ${#long_out}-byte path: status $status: $(cat "$tmp/err")" >&2
  failures=$((failures + 1))
else
  echo "ok: --out with a ${#long_out}-byte path"
fi

# Two runs on one --out at once: both succeed and the file is whole.
filter='^spawn/thread_start_join'
"$bin" --smoke --list=json --filter="$filter" >"$tmp/same.list.json"
"$bin" --smoke --filter="$filter" --repetitions=3 --out="$tmp/same.json" >/dev/null 2>"$tmp/err1" &
first=$!
"$bin" --smoke --filter="$filter" --repetitions=3 --out="$tmp/same.json" >/dev/null 2>"$tmp/err2" &
second=$!
wait "$first"; status1=$?
wait "$second"; status2=$?
if [[ $status1 -ne 0 || $status2 -ne 0 ]] ||
    ! "$json_check" "$tmp/same.json" "$tmp/same.list.json" >/dev/null ||
    [[ -n $(compgen -G "$tmp/same.json.*") ]]; then
  echo "FAIL: two runs on one --out: status $status1 and $status2, files: $(ls "$tmp")" >&2
  cat "$tmp/err1" "$tmp/err2" >&2
  failures=$((failures + 1))
else
  echo "ok: two runs on one --out: both exit 0, the file is valid JSON"
fi

expect_usage_error "empty negative filter" --smoke --filter=-
expect_usage_error "negative filter excluding everything" --smoke '--filter=-.'
expect_usage_error "unknown list format" --smoke --list=yaml

# A small process limit (RLIMIT_NPROC, read even where root ignores it)
# blocks nothing the user did not ask for, and a request over it names it.
if command -v prlimit >/dev/null; then
  if prlimit --nproc=500 "$bin" --list >/dev/null 2>"$tmp/err"; then
    echo "ok: --list under RLIMIT_NPROC=500"
  else
    echo "FAIL: --list under RLIMIT_NPROC=500: $(cat "$tmp/err")" >&2
    failures=$((failures + 1))
  fi
  for mode in --smoke --quick; do
    if ! prlimit --nproc=500 "$bin" $mode --list >/dev/null 2>&1; then
      echo "FAIL: $mode --list under RLIMIT_NPROC=500 failed" >&2
      failures=$((failures + 1))
    fi
  done
  wrapper=(prlimit --nproc=500)
  expect_usage_error "more tasks than RLIMIT_NPROC" --list --set=sleep_io.tasks=1000
  wrapper=()
  if ! grep -q 'RLIMIT_NPROC=500' "$tmp/err"; then
    echo "FAIL: the message does not name RLIMIT_NPROC: $(cat "$tmp/err")" >&2
    failures=$((failures + 1))
  fi
else
  echo "skip: RLIMIT_NPROC tests: prlimit is not installed"
fi

# An unknown --set key names the valid ones (on its one line).
"$bin" --smoke --set=sum_squares.taks=5 >/dev/null 2>"$tmp/err"
if ! grep -q 'valid: .*sum_squares\.tasks' "$tmp/err" || ! grep -q 'valid: .*sleep_io\.tasks' "$tmp/err"; then
  echo "FAIL: an unknown --set key did not list the valid ones: $(cat "$tmp/err")" >&2
  failures=$((failures + 1))
fi

# --help lists every option, every setting with its defaults and range, and
# the exit statuses.
"$bin" --help >"$tmp/help" 2>&1
for wanted in --quick --smoke --filter --out --repetitions --workers --set \
    --list=json --benchmark_ 'sum_squares.tasks  *10000 / 1000 / 40; 1 to 10000000' \
    'RE2' \
    sleep_io.seed_sleep_ms bank.ops ipc.all_sizes 'Exit status' '2  bad input'; do
  if ! grep -q -- "$wanted" "$tmp/help"; then
    echo "FAIL: --help lacks '$wanted'" >&2
    failures=$((failures + 1))
  fi
done

# A leading '-' negates the filter, ours and Google Benchmark's.
for flag in --filter=-ipc --benchmark_filter=-ipc; do
  "$bin" --smoke --list "$flag" >"$tmp/list" 2>&1
  if grep -q '^ipc/' "$tmp/list" || ! grep -q '^sum_squares/' "$tmp/list"; then
    echo "FAIL: $flag did not exclude ipc" >&2
    failures=$((failures + 1))
  fi
done

# --list=json describes exactly the benchmarks --list names.
"$bin" --smoke --list=json --filter=sleep_io >"$tmp/list.json"
if ! /usr/bin/python3 -c '
import json, sys
listed = json.load(open(sys.argv[1]))
names = open(sys.argv[2]).read().split()
assert [b["name"] for b in listed] == names
assert all(b["metric"]["name"] and b["workload"] == "sleep_io" for b in listed)
' "$tmp/list.json" <("$bin" --smoke --list --filter=sleep_io); then
  echo "FAIL: --list=json and --list disagree" >&2
  failures=$((failures + 1))
fi

# Google Benchmark's own flags keep working.
if ! "$bin" --smoke --filter='^spawn/thread_start_join' --benchmark_format=json \
    --benchmark_min_time=0 >"$tmp/gb.json" 2>/dev/null ||
    ! /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/gb.json"; then
  echo "FAIL: --benchmark_format=json did not reach Google Benchmark" >&2
  failures=$((failures + 1))
fi

# Value options also take the spaced form.
if ! "$bin" --smoke --list --set sum_squares.tasks=5 2>&1 | grep -q 'sum_squares/serial/tasks:5/'; then
  echo "FAIL: --set KEY=VALUE (spaced form) did not take effect" >&2
  failures=$((failures + 1))
fi

# --workers changes the sweep.
"$bin" --smoke --list --workers=3 >"$tmp/list" 2>&1
# (workers:16 is one thread per task of a 16-task shape, not a sweep count.)
if ! grep -q 'workers:3' "$tmp/list" || grep -qE 'workers:1(/|$)' "$tmp/list"; then
  echo "FAIL: --workers=3 did not set the sweep" >&2
  failures=$((failures + 1))
fi

# Ctrl-C (SIGINT) and SIGTERM in the middle of a run: nothing may be left
# behind. A script's background job starts with SIGINT ignored, so the binary
# is started through Python with the default disposition, as a terminal would.
for signal in INT TERM; do
  /usr/bin/python3 -c '
import signal, subprocess, sys
sys.exit(subprocess.call(sys.argv[1:],
    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))' \
    "$bin" --quick --filter='process_pool|process_per_task' --out="$tmp/run.json" &
  runner=$!
  sleep 1.5
  pid=$(pgrep -P "$runner" -f concbench | head -n 1)
  kill -"$signal" "$pid"
  # It must end promptly: give it 10 s, then call it a hang.
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: SIG$signal: the run did not end within 10 s" >&2
    kill -KILL "$pid"
    failures=$((failures + 1))
  fi
  wait "$runner"
  status=$?
  leftover_segments=$(ls /dev/shm | grep -c -- "-$pid-" || true)
  leftover_children=$(pgrep -P "$pid" | wc -l)
  if [[ $status -eq 0 || -n $(compgen -G "$tmp/run.json*") || $leftover_segments -ne 0 ||
        $leftover_children -ne 0 ]]; then
    echo "FAIL: SIG$signal: status $status, files: $(ls "$tmp"), " \
         "segments $leftover_segments, children $leftover_children" >&2
    failures=$((failures + 1))
  else
    echo "ok: SIG$signal mid-run left nothing behind (status $status)"
  fi
done

# The spawn start method's child: exits 0 at once, printing nothing.
if "$bin" --child-exit >"$tmp/out" 2>&1 && [[ ! -s "$tmp/out" ]]; then
  echo "ok: --child-exit exits 0 silently"
else
  echo "FAIL: --child-exit did not exit 0 silently" >&2
  failures=$((failures + 1))
fi

echo "$failures failed"
[[ $failures -eq 0 ]]
