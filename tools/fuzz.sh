#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz): builds them with clang++ under
# ASan+UBSan in build/fuzz (only the fuzz targets and what they link), builds
# their seed corpora from the repository's test data and ../shared when
# present (tests/fuzz/make_corpus.py), then runs each target for SECONDS
# (default 20). Exits non-zero when any target finds a crash, a leak,
# undefined behaviour or a broken property; the input that did it is in
# build/fuzz/findings/TARGET/ (rerun: build/fuzz/tests/fuzz/TARGET FILE).
#   tools/fuzz.sh [SECONDS] [TARGET...]      e.g. tools/fuzz.sh 600 message_fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(message_fuzz config_fuzz api_fuzz mrt_fuzz pcap_fuzz)
build=build/fuzz
if [ ! -f $build/build.ninja ]; then
  cmake -S . -B $build -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DBGPSIM_FUZZ=ON \
    -DBGPSIM_BENCH=OFF -DBGPSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
    ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER}
fi
cmake --build $build -j "$(nproc)" --target "${targets[@]}"
python3 tests/fuzz/make_corpus.py $build/seeds
# One target per core at a time (each fuzzer is single-threaded): five
# targets on two cores take three rounds of SECONDS instead of five.
run_target() {
  local t=$1 kind=${1%_fuzz}
  # seeds/KIND is absent when ../shared is (the MRT seeds come only from there):
  # the target then starts from an empty corpus instead of failing.
  mkdir -p $build/corpus/$kind $build/seeds/$kind $build/findings/$t
  # The grown corpus (build/fuzz/corpus) is kept between runs; the seeds are
  # read too. -timeout: one input taking over 10 s is a finding.
  if $build/tests/fuzz/$t $build/corpus/$kind $build/seeds/$kind -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=$build/findings/$t/ >$build/$t.log 2>&1; then
    echo 0 >$build/$t.status
  else
    echo 1 >$build/$t.status
  fi
}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  rm -f $build/$t.status
  run_target "$t" &
done
wait
status=0
for t in "${targets[@]}"; do
  echo "== $t: ${seconds} s"
  if [ "$(cat $build/$t.status 2>/dev/null)" != 0 ]; then
    status=1
    echo "$t FAILED (log: $build/$t.log)"
    grep -m1 -A30 "ERROR\|==ABORT\|runtime error" $build/$t.log || tail -n 30 $build/$t.log
  fi
  grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|cov:" \
    $build/$t.log | tail -n 3
done
exit $status
