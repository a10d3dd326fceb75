#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the release and the
# ASan+UBSan presets, and runs every test in both. Exit status is CTest's.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh release asan
status=0
for preset in release asan; do
  echo "== ctest --preset $preset"
  ctest --preset "$preset" -j "$(nproc)" || status=1
done
exit $status
