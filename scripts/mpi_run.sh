#!/usr/bin/env bash
# Runs concbench_mpi under mpirun with the switches the suite needs, and
# only here: --allow-run-as-root when run as root (OpenMPI refuses root
# otherwise), --oversubscribe when more ranks than this machine's CPUs are
# asked for, and --bind-to none (the benchmarks place themselves: ipc's pin:
# rows; OpenMPI's default binding would also shrink each rank's CPU count).
#
#   scripts/mpi_run.sh BINARY [--ranks N] [--hostfile FILE] [-- ARGS...]
#
# --ranks N: ranks to start (default: this machine's CPUs; with --hostfile,
# default: every slot of the hostfile). ARGS go to concbench_mpi. Exits with
# mpirun's status, which is rank 0's (0, 1: a benchmark failed, 2: bad
# input), or 3 when mpirun is missing.
set -euo pipefail

usage() {
  echo "concbench: usage: scripts/mpi_run.sh BINARY [--ranks N] [--hostfile FILE] [-- ARGS...]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
binary=$1
shift
ranks=""
hostfile=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --ranks) [[ $# -ge 2 ]] || usage; ranks=$2; shift 2 ;;
    --hostfile) [[ $# -ge 2 ]] || usage; hostfile=$2; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[[ -z "$ranks" || "$ranks" =~ ^[1-9][0-9]*$ ]] || {
  echo "concbench: --ranks must be a positive whole number, not '$ranks'" >&2
  exit 2
}
command -v mpirun >/dev/null || {
  echo "concbench: mpirun not found (scripts/deps.sh installs OpenMPI)" >&2
  exit 3
}

args=(--bind-to none)
[[ $(id -u) -eq 0 ]] && args+=(--allow-run-as-root)
if [[ -n "$hostfile" ]]; then
  [[ -r "$hostfile" ]] || {
    echo "concbench: cannot read the hostfile '$hostfile'" >&2
    exit 2
  }
  args+=(--hostfile "$hostfile")
  [[ -n "$ranks" ]] && args+=(-np "$ranks")
else
  ranks=${ranks:-$(nproc)}
  args+=(-np "$ranks")
  [[ $ranks -gt $(nproc) ]] && args+=(--oversubscribe)
fi
exec mpirun "${args[@]}" "$binary" "$@"
