#!/usr/bin/env bash
# A full /dev/shm is a clear error at creation, never a SIGBUS (issue 15,
# item 5): the binary runs in a private mount namespace with a 256 KiB tmpfs
# on /dev/shm. Every benchmark that needs more fails with one message naming
# the size asked and the space free, the run ends with status 1 and its JSON,
# and the tmpfs is empty afterwards. Exits 77 (skipped) with the reason where
# a private mount namespace or a tmpfs mount is not permitted.
set -u
bin=${1:?usage: shm_full_test.sh path/to/concbench}
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
filter='^(sum_squares/(task_queue|process_pool_map)|ipc/(message_queue|queue|shm_ring))/'

if ! unshare -m --propagation private true 2>"$tmp/why"; then
  echo "skipped: no private mount namespace here: $(cat "$tmp/why")"
  exit 77
fi
timeout 300 unshare -m --propagation private bash -c '
  mount -t tmpfs -o size=256k concbench-shm-test /dev/shm 2>"$1/why" || exit 77
  "$2" --smoke --filter="$3" --out="$1/run.json" >"$1/out" 2>"$1/err"
  echo $? >"$1/status"
  ls -A /dev/shm >"$1/left"
' _ "$tmp" "$bin" "$filter"
status=$?
if [[ $status -eq 77 ]]; then
  echo "skipped: cannot mount a tmpfs on /dev/shm: $(cat "$tmp/why")"
  exit 77
fi
if [[ $status -ne 0 ]]; then
  echo "FAIL: the namespace ended with status $status (124: the run hung)"
  exit 1
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
run_status=$(cat "$tmp/status")
[[ $run_status -eq 1 ]] || fail "the run ended with status $run_status, not 1"
grep -q 'BUS' "$tmp/err" && fail "a SIGBUS: $(grep -m1 BUS "$tmp/err")"
[[ -s "$tmp/left" ]] && fail "left in /dev/shm: $(tr '\n' ' ' <"$tmp/left")"
/usr/bin/python3 - "$tmp/run.json" <<'PY' || failures=$((failures + 1))
import json, re, sys
def strict(constant):
    raise ValueError(f"{constant} in the JSON")
runs = json.load(open(sys.argv[1]), parse_constant=strict)["benchmarks"]
pattern = re.compile(r"cannot allocate [0-9.]+ (B|KiB|MiB) of shared memory "
                     r"for /dev/shm/\S+: .+; /dev/shm has [0-9.]+ (B|KiB|MiB) "
                     r"free of 256.0 KiB$")
errors = [r["error_message"] for r in runs if r.get("error_occurred")]
wrong = [e for e in errors if not pattern.match(e)]
for e in wrong:
    print("FAIL: an unclear error:", e)
if not errors:
    print("FAIL: no benchmark ran out of shared memory")
print(f"{len(errors)} of {len(runs)} runs failed for want of shared memory, "
      f"e.g. {errors[0] if errors else None!r}")
sys.exit(1 if wrong or not errors else 0)
PY
if [[ $failures -ne 0 ]]; then
  sed 's/^/  stderr: /' "$tmp/err" | grep -v '^\s*stderr: \[' | head -20
  exit 1
fi
echo "ok: a 256 KiB /dev/shm fails the runs that need more, clearly, and leaves nothing"
