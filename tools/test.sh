#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the ASan+UBSan
# preset and runs every test in it (unit, property, simulator, ExaBGP
# compatibility, live interop), then builds the release `bgpsim` and runs its
# main job as a smoke test. One instrumented build keeps CI within budget on
# two cores; the release binary is the one users run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The interop tests need the real daemons; each test skips (with the reason)
# when its daemon cannot start.
export BGPSIM_EXTRA_PACKAGES="${BGPSIM_EXTRA_PACKAGES:-} python3 bird2 gobgpd frr openbgpd exabgp bgpdump"
tools/setup.sh asan
status=0
echo "== ctest --preset asan"
ctest --preset asan -j "$(nproc)" || status=1
echo "== release: bgpsim sim"
cmake --preset release >/dev/null
cmake --build --preset release --target bgpsim -j "$(nproc)"
build/release/tools/bgpsim sim --check-determinism || status=1
exit $status
