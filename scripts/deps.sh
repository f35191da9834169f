#!/usr/bin/env bash
# Installs the Debian packages concbench needs, and only the missing ones.
# Quick when everything is present (one dpkg-query); never installs anything
# outside Debian's registry. Exits non-zero with the exact command to run when
# it cannot install (not root, no network).
set -euo pipefail

packages=(
  cmake g++ make git
  libbenchmark-dev libbenchmark-tools
  libboost-dev libtbb-dev libfmt-dev libgtest-dev nlohmann-json3-dev
  libre2-dev pkgconf  # --filter's regex engine, found through pkg-config
  python3-matplotlib python3-scipy python3-numpy python3-yaml
  chromium  # the HTML report's test opens it in a real browser
  openmpi-bin libopenmpi-dev  # the mpi model: concbench_mpi under mpirun
  libssl-dev  # the manager's authentication: HMAC-SHA256, RAND_bytes
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "concbench: missing Debian packages: ${missing[*]}" >&2
  echo "concbench: run as root: $command" >&2
  exit 1
fi

echo "concbench: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be absent on a fresh machine; refresh them once.
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/concbench-apt.log 2>&1; then
  if ! { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } \
      >>/tmp/concbench-apt.log 2>&1; then
    echo "concbench: installing packages failed (log: /tmp/concbench-apt.log)." >&2
    echo "concbench: check the network and run: $command" >&2
    exit 1
  fi
fi
