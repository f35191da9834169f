#!/usr/bin/env bash
# Finds shared-memory segments, named semaphores and manager socket files
# that tests left behind. A test object is /dev/shm/[sem.]concbench-ctest-<pid>-<n>-<owner>
# or $TMPDIR/concbench-ctest-<pid>-<n>-<owner>.sock; it has leaked when
# process <pid> is gone. `setup` clears leftovers of earlier runs, `check`
# fails on any leak of this run.
set -u
mode=${1:?usage: check_leaks.sh setup|check}
leaked=()
for path in /dev/shm/concbench-ctest-* /dev/shm/sem.concbench-ctest-* \
    "${TMPDIR:-/tmp}"/concbench-ctest-*.sock; do
  [[ -e "$path" ]] || continue
  pid=$(basename "$path" | sed -E 's/^(sem\.)?concbench-ctest-([0-9]+)-.*/\2/')
  kill -0 "$pid" 2>/dev/null && continue
  leaked+=("$path")
done
if [[ "$mode" == setup ]]; then
  rm -f "${leaked[@]}"
  exit 0
fi
if [[ ${#leaked[@]} -gt 0 ]]; then
  echo "leaked: ${leaked[*]}" >&2
  exit 1
fi
echo "no leaked segments, semaphores or sockets"
