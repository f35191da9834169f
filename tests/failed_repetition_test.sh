#!/usr/bin/env bash
# One failed repetition among passing ones fails the run: Google Benchmark's
# display then shows only the passing repetitions' aggregates, yet the exit
# status is 1, the summary line names the benchmark and its repetition, and
# the JSON holds the failed repetition with its error. The failure is
# injected with the hidden test-only --test_fail=REGEX:REPETITION.
set -u
bin=${1:?usage: failed_repetition_test.sh path/to/concbench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

name=$("$bin" --smoke --list --filter='^sum_squares/serial/' | head -n 1)
[[ -n $name ]] || { echo "FAIL: no sum_squares/serial benchmark listed" >&2; exit 1; }
exact="^${name//\//\\/}\$"

"$bin" --smoke --filter="$exact" --repetitions=4 --test_fail="$exact:2" \
  --out="$tmp/run.json" >"$tmp/stdout" 2>"$tmp/stderr"
status=$?
[[ $status -eq 1 ]] || fail "one failed repetition of 4: exit status $status, not 1"
# (A loaded machine adds a warning line.)
summary=$(grep '^concbench: ' "$tmp/stderr" | grep -v '^concbench: warning: ')
[[ $(wc -l <<<"$summary") -eq 1 ]] || fail "not one summary line: $summary"
[[ $(tail -n 1 "$tmp/stderr") == "$summary" ]] || fail "the summary is not the last line"
[[ $summary == *"1 of 4 repetitions failed: $name (repetition 2)"* ]] ||
  fail "the summary does not name the failed repetition: $summary"
[[ $summary == *"$tmp/run.json"* ]] || fail "the summary does not say where the errors are: $summary"
# The display shows the aggregates only: without the count apart, this run
# would have exited 0.
grep -q 'ERROR OCCURRED' "$tmp/stdout" && fail "the display showed the failed repetition"
/usr/bin/python3 - "$tmp/run.json" "$name" <<'PY' || fail "the JSON does not hold the failed repetition"
import json, sys
doc = json.load(open(sys.argv[1]))
name = sys.argv[2]
runs = [b for b in doc["benchmarks"] if b["run_name"].startswith(name + "/")]
iterations = [b for b in runs if b["run_type"] == "iteration"]
failed = [b for b in iterations if b.get("error_occurred")]
assert len(iterations) == 4, len(iterations)
assert len(failed) == 1, failed
assert "injected by --test_fail" in failed[0]["error_message"], failed[0]
assert any(b["run_type"] == "aggregate" for b in runs), "no aggregates"
PY

# Without --out the summary says how to keep the errors; a run where nothing
# fails exits 0.
"$bin" --smoke --filter="$exact" --repetitions=3 --test_fail="$exact:3" \
  >/dev/null 2>"$tmp/stderr"
status=$?
[[ $status -eq 1 ]] || fail "without --out: exit status $status, not 1"
grep -q '^concbench: 1 of 3 repetitions failed: .*--out' "$tmp/stderr" ||
  fail "without --out: $(grep '^concbench: ' "$tmp/stderr")"
"$bin" --smoke --filter="$exact" --repetitions=3 >/dev/null 2>"$tmp/stderr"
status=$?
[[ $status -eq 0 ]] || fail "no failure: exit status $status: $(cat "$tmp/stderr")"

echo "$failures failed"
[[ $failures -eq 0 ]]
