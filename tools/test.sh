#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the release and the
# ASan+UBSan presets, and runs every test in both. Exit status is CTest's.
set -euo pipefail
cd "$(dirname "$0")/.."
# The interop tests need the real daemons; each test skips (with the reason)
# when its daemon cannot start.
export BGPSIM_EXTRA_PACKAGES="${BGPSIM_EXTRA_PACKAGES:-} python3 bird2 gobgpd frr openbgpd exabgp"
tools/setup.sh release asan
status=0
for preset in release asan; do
  echo "== ctest --preset $preset"
  ctest --preset "$preset" -j "$(nproc)" || status=1
done
exit $status
