#!/usr/bin/env bash
# concbench_mpi under mpirun, through scripts/mpi_run.sh as make bench runs
# it: every MPI benchmark at smoke size on 2 ranks runs and verifies, the
# JSON is strict and names what the contract says; a rank that reports a
# wrong part fails its benchmarks on rank 0 (error in the JSON, exit 1);
# a hostfile naming localhost twice runs two ranks whose hosts the context
# records; bad input exits 2; a rank killed (SIGKILL) mid-run ends the run
# within seconds with mpirun's message; the MPI rows merge into a concbench run as
# make bench merges them, and the summary and charts draw them; and no rank,
# mpirun daemon or OpenMPI shared-memory segment outlives a run.
#
# OpenMPI's own start-up allocations are still held at exit, which
# LeakSanitizer would report in this sanitizer build: leak detection is off
# for the ranks (the other suites keep it for concbench's code).
set -eu
bin=${1:?usage: mpi_test.sh concbench_mpi mpi_run.sh json_check concbench scripts_dir}
run=${2:?}
json_check=${3:?}
concbench=${4:?}
scripts=${5:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=0
# Every rank inherits the tag, so a leftover process is found by it alone.
tag="concbench-mpi-test-$$-$RANDOM"
export CONCBENCH_MPI_TEST_TAG=$tag

fail() {
  echo "mpi_test: $*" >&2
  exit 1
}

leftovers() {
  local pids=()
  for environ in /proc/[0-9]*/environ; do
    grep -qa "CONCBENCH_MPI_TEST_TAG=$tag" "$environ" 2>/dev/null &&
      pids+=("$(basename "$(dirname "$environ")")")
  done
  echo "${pids[*]}"
}

segments() { ls /dev/shm 2>/dev/null | grep -E '^(vader|sm_segment)' | sort || true; }

# Runs mpi_run.sh with the given arguments; expects exit status $1.
expect_run() {
  local expected=$1 name=$2
  shift 2
  local status=0
  timeout 120 "$run" "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
  if [[ $status -ne $expected ]]; then
    tail -20 "$tmp/$name.err" >&2
    fail "$name: exit status $status, expected $expected"
  fi
  sleep 0.2  # the daemon's last children may take a moment to be reaped
  local left
  left=$(leftovers)
  [[ -z "$left" ]] || fail "$name: processes left behind: $left"
}

before=$(segments)

# 1. Every benchmark at smoke size on two ranks.
expect_run 0 smoke --ranks 2 -- --smoke --benchmark_min_time=0.001 \
  --out="$tmp/smoke.json"
expect_run 0 list --ranks 2 -- --smoke --list=json
"$json_check" "$tmp/smoke.json" "$tmp/list.out"
/usr/bin/python3 - "$tmp/smoke.json" <<'PY'
import json, socket, sys
doc = json.load(open(sys.argv[1]))
ctx = doc["context"]
assert ctx["mpi_ranks"] == "2", ctx
assert len(ctx["mpi_hosts"].split(",")) == 2, ctx
assert ctx["mpi_library"].startswith("Open MPI"), ctx
names = {b["run_name"].split("/process_time")[0] for b in doc["benchmarks"]
         if b.get("run_type") == "iteration"}
errors = [(b["name"], b["error_message"]) for b in doc["benchmarks"] if b.get("error_occurred")]
assert not errors, errors
want = set()
for shape, params in (("sum_squares", "tasks:40/inner:100"), ("sum_squares_skewed", "tasks:40")):
    want |= {f"{shape}/mpi/static/{params}/ranks:1", f"{shape}/mpi/static/{params}/ranks:2",
             f"{shape}/mpi/dynamic/{params}/ranks:2/chunk:auto",
             f"{shape}/mpi/dynamic/{params}/ranks:2/chunk:1"}
for mode in ("pingpong", "throughput"):
    for size in (8, 32768):
        for pin in ("same", "split", "none"):
            want.add(f"ipc/mpi/{mode}/peer:process/size:{size}/pin:{pin}")
for form in ("mpi_fetch_and_op", "mpi_win_lock", "mpi_none"):
    want |= {f"bank/{form}/ranks/ops:100/ranks:{k}" for k in (1, 2)}
want.add("spawn/mpirun_start_join/ranks:1")
missing = want - names
bank = {b["run_name"].split("/process_time")[0]: b for b in doc["benchmarks"]
        if b["name"].startswith("bank/")}
for name, b in bank.items():
    if "/mpi_none/" in name:  # racy: lost updates counted, never a failure
        assert 0 <= b["balance_error"] <= b["lost_updates"] or \
            b["balance_error"] == b["lost_updates"] == 0, (name, b)
    else:
        assert b["final_balance"] == 100 and b["lost_updates"] == 0, (name, b)
assert not missing, sorted(missing)
described = {d["name"] for d in ctx["concbench"]["benchmarks"]}
assert want <= described, sorted(want - described)
PY

# 2. Rank 1 reports a wrong part in every job: every benchmark it takes part
# in fails on rank 0, the ones of rank 0 alone pass, and the run exits 1.
expect_run 1 corrupt --ranks 2 -- --smoke --benchmark_min_time=0.001 \
  --test_corrupt_rank=1 --out="$tmp/corrupt.json"
/usr/bin/python3 - "$tmp/corrupt.json" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
for b in doc["benchmarks"]:
    alone = "/ranks:1" in b["name"]
    if alone:
        assert not b.get("error_occurred"), b
        continue
    message = b.get("error_message", "")
    assert b.get("error_occurred"), b["name"]
    # sum_squares: the parts' check; ipc: the message check (message.h).
    assert re.search(r"verification failed|does not match|differs", message), \
        (b["name"], message)
PY

# 3. A hostfile naming localhost twice: two ranks, both hosts recorded.
printf 'localhost\nlocalhost\n' >"$tmp/hostfile"
expect_run 0 hostfile --hostfile "$tmp/hostfile" -- --smoke \
  --benchmark_min_time=0.001 \
  --filter='sum_squares/mpi/static/.*ranks:2|ipc/mpi/pingpong/.*size:8/pin:none' \
  --out="$tmp/hosts.json"
/usr/bin/python3 - "$tmp/hosts.json" <<'PY'
import json, socket, sys
ctx = json.load(open(sys.argv[1]))["context"]
hosts = ctx["mpi_hosts"].split(",")
assert ctx["mpi_ranks"] == "2" and len(hosts) == 2, ctx
assert hosts[0] == hosts[1] == socket.gethostname(), (hosts, socket.gethostname())
PY

# 4. Bad input on rank 0 ends every rank with exit status 2.
expect_run 2 usage --ranks 2 -- --smoke --filter='no such benchmark'
grep -q "concbench_mpi: no benchmark matches" "$tmp/usage.err" ||
  fail "usage: no one-line message"

# 5. Rank 1 killed in the middle of a ping-pong: mpirun ends the whole job
# within seconds, non-zero, saying which rank died, and nothing is left.
rank_pid() {  # the pid of rank $1 of this test's job, or nothing
  for environ in /proc/[0-9]*/environ; do
    if grep -qa "CONCBENCH_MPI_TEST_TAG=$tag" "$environ" 2>/dev/null &&
        grep -qa "OMPI_COMM_WORLD_RANK=$1" "$environ" 2>/dev/null; then
      basename "$(dirname "$environ")"
      return
    fi
  done
}
start=$(date +%s)
timeout 120 "$run" "$bin" --ranks 2 -- --smoke --benchmark_min_time=30 \
  --filter='ipc/mpi/pingpong/peer:process/size:8/pin:none' \
  --out="$tmp/killed.json" >"$tmp/killed.out" 2>"$tmp/killed.err" &
job=$!
for _ in $(seq 200); do  # the timed loop runs once its progress line is out
  grep -q '^\[1/1\]' "$tmp/killed.err" 2>/dev/null && break
  sleep 0.1
done
sleep 0.5
victim=$(rank_pid 1)
[[ -n "$victim" ]] || fail "killed: rank 1 not found"
kill -9 "$victim"
status=0
wait "$job" || status=$?
elapsed=$(($(date +%s) - start))
[[ $status -ne 0 && $status -ne 124 ]] || fail "killed: exit status $status"
[[ $elapsed -le 30 ]] || fail "killed: the run took ${elapsed}s to end"
grep -q "exited on signal 9" "$tmp/killed.err" || fail "killed: no message naming the dead rank"
sleep 0.2
[[ -z "$(leftovers)" ]] || fail "killed: processes left behind: $(leftovers)"
! compgen -G "$tmp/killed.json*" >/dev/null ||
  fail "killed: a result file (or its partial file) for a run that died"

# 6. make bench's merge: a few C++ rows, the MPI rows added, then drawn.
"$concbench" --smoke --benchmark_min_time=0.001 \
  --filter='^sum_squares/serial/|^ipc/pipe/pingpong/peer:process/size:8/|^limits/spin' \
  --out="$tmp/run.json" >/dev/null 2>&1 || fail "merge: the C++ rows failed"
/usr/bin/python3 "$scripts/merge.py" --into "$tmp/run.json" --add "$tmp/smoke.json" \
  2>/dev/null || fail "merge: merge.py failed"
/usr/bin/python3 "$scripts/plot.py" --in "$tmp/run.json" --out "$tmp/plots" \
  >/dev/null 2>"$tmp/plot.err" || { cat "$tmp/plot.err" >&2; fail "merge: plot.py failed"; }
/usr/bin/python3 - "$tmp/run.json" "$tmp/plots/summary.md" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
merged = doc["context"]["concbench"]["merged"]
assert merged and merged[-1]["mpi_ranks"] == "2" and merged[-1]["mpi_hosts"], merged
summary = open(sys.argv[2]).read()
assert "mpi/static/tasks:40/inner:100/ranks:2" in summary, "no MPI row in summary.md"
assert "mpi/pingpong/size:8/pin:none" in summary, "no MPI ipc row in summary.md"
PY

after=$(segments)
new=$(comm -13 <(echo "$before") <(echo "$after"))
[[ -z "$new" ]] || fail "OpenMPI segments left in /dev/shm: $new"
echo "mpi_test: all passed"
