#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks (Debian packages only), then
# configures and builds the given CMake presets, whole. With no preset it
# builds what the README's first command runs: the release `bgpsim` alone
# (not the tests and benchmarks, about half the build).
#   tools/setup.sh [PRESET...]        e.g. tools/setup.sh release asan
# Extra packages for a run (e.g. interop daemons) come from BGPSIM_EXTRA_PACKAGES.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  ca-certificates git cmake ninja-build g++ pkg-config
  libboost1.81-dev libgtest-dev libgmock-dev librapidcheck-dev libpcap-dev libfmt-dev
  nlohmann-json3-dev libcli11-dev libbenchmark-dev
  zlib1g-dev libbz2-dev   # gzip and bzip2 MRT files (replay/mrt)
  tshark   # reads the simulator's pcap files in tests
  python3  # helper processes of the functional suite (qa/etc/run, `bgpsim qa`)
)
# shellcheck disable=SC2206
packages+=(${BGPSIM_EXTRA_PACKAGES:-})

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

presets=("$@")
targets=()
if [ ${#presets[@]} -eq 0 ]; then
  presets=(release)
  targets=(--target bgpsim)
fi
jobs=$(nproc)
for preset in "${presets[@]}"; do
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs" "${targets[@]}"
done
