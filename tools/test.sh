#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the ASan+UBSan
# preset and runs every test in it (unit, property, simulator, ExaBGP
# compatibility, live interop), then runs the main job with its determinism
# check. One instrumented build keeps CI within budget on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every test must run: a test that cannot (a daemon missing or not starting,
# ../shared/exabgp-qa absent, tshark missing) fails here with its reason
# instead of being skipped (tests/require.hpp, tests/interop/harness.py).
# A developer running ctest directly gets skips, each saying why.
export BGPSIM_REQUIRE_ALL=1
# The interop tests need the real daemons.
export BGPSIM_EXTRA_PACKAGES="${BGPSIM_EXTRA_PACKAGES:-} python3 bird2 gobgpd frr openbgpd exabgp bgpdump"
# The libFuzzer targets need clang and its sanitizer runtimes.
export BGPSIM_EXTRA_PACKAGES="$BGPSIM_EXTRA_PACKAGES clang libclang-rt-14-dev"
tools/setup.sh asan
status=0
echo "== ctest --preset asan"
log=build/asan/ctest.log
ctest --preset asan -j "$(nproc)" 2>&1 | tee "$log" || status=1
# Skipped tests are counted either way (with BGPSIM_REQUIRE_ALL=1 there should
# be none: a skip is then a failure).
skipped=$(grep -c -- '\*\*\*Skipped' "$log" || true)
echo "== skipped tests: $skipped"
grep -- '\*\*\*Skipped' "$log" || true
# The main job, twice in one process, compared (the instrumented binary: a
# release build would compile everything a second time for no extra check;
# the ctest case sim_two_processes already compares two processes).
echo "== bgpsim sim --check-determinism"
build/asan/tools/bgpsim sim --check-determinism || status=1
# Every libFuzzer target for a short fixed time under ASan+UBSan (clang,
# build/fuzz: only the fuzz targets and what they link); a crash, leak, UB or
# broken property fails CI. docs/testing.md has the longer campaign's figures.
echo "== tools/fuzz.sh ${BGPSIM_FUZZ_SECONDS:-15}"
tools/fuzz.sh "${BGPSIM_FUZZ_SECONDS:-15}" || status=1
exit $status
