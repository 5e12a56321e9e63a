#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang into FUZZ_BUILD_DIR (default build-fuzz/) and
# runs each for FUZZ_SECONDS (default 60) on a copy of its seed corpus, FUZZ_JOBS (default: the
# number of cores) at a time. FUZZ_SECONDS=0 only replays the seeds. FUZZ_TARGETS picks targets
# (default: all). Prints per target the executions, coverage and corpus size; exits non-zero on
# any crash, leak, timeout, out-of-memory or sanitizer report, and prints where the input that
# caused it was kept: FUZZ_BUILD_DIR/findings/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
read -r -a targets <<<"${FUZZ_TARGETS:-value_parser reply_decoder config http_request}"

# Per target: the longest input worth trying (beyond what the code under test reads at once),
# and its dictionary.
declare -A max_len=([value_parser]=256 [reply_decoder]=16384 [config]=8192 [http_request]=36864)
declare -A dictionary=([value_parser]=units [reply_decoder]=json [config]=config [http_request]=http)

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DZQE_BUILD_TESTS=OFF -DZQE_BUILD_FUZZERS=ON >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target "${targets[@]/%/_fuzzer}"

runs_dir=$build_dir/fuzz-runs
findings_dir=$build_dir/findings
rm -rf "$runs_dir"
mkdir -p "$runs_dir" "$findings_dir"

# Every sanitizer report ends the run (-fno-sanitize-recover=all), and libFuzzer keeps the input.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1

fuzz_one() {
  local target=$1
  local run=$runs_dir/$target
  mkdir -p "$run/corpus" "$run/artifacts"
  # New inputs go to the first corpus directory: a copy, so the seeds in the repository stay as
  # they are.
  cp -r "fuzz/corpus/$target/." "$run/corpus/"
  local mode=(-max_total_time="$seconds")
  [ "$seconds" -eq 0 ] && mode=(-runs=0)
  local status=0 started=$SECONDS
  # stdin from /dev/null: a config naming /dev/stdin as its secret file must not wait for input.
  # The outer timeout is a backstop for a libFuzzer that cannot end itself (e.g. stuck printing
  # a memory profile after an out-of-memory report).
  timeout --kill-after=10 $((seconds + 300)) \
    "$build_dir/fuzz/${target}_fuzzer" "${mode[@]}" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${max_len[$target]}" -dict="fuzz/${dictionary[$target]}.dict" \
    -artifact_prefix="$run/artifacts/" -print_final_stats=1 "$run/corpus" \
    </dev/null >"$run/log" 2>&1 || status=$?
  echo "$status" >"$run/status"
  echo $((SECONDS - started)) >"$run/elapsed"
}

running=0
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

# One line a target from libFuzzer's last status line ("#N DONE cov: C ft: F corp: K/SIZE ...").
failed=0
printf '%-14s %7s %12s %8s %8s %8s %9s  %s\n' target seconds executions exec/s cov features corpus result
for target in "${targets[@]}"; do
  run=$runs_dir/$target
  status=$(cat "$run/status")
  last=$(grep -E '^#[0-9]+' "$run/log" | tail -n 1 || true)
  executions=$(sed -nE 's/^stat::number_of_executed_units: *//p' "$run/log")
  speed=$(sed -nE 's/^stat::average_exec_per_sec: *//p' "$run/log")
  coverage=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  features=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corpus=$(find "$run/corpus" -type f | wc -l)
  result=ok
  artifacts=("$run"/artifacts/*)
  if [ "$status" -ne 0 ] || [ -e "${artifacts[0]}" ]; then
    result="FAILED (exit $status)"
    failed=1
  fi
  printf '%-14s %7s %12s %8s %8s %8s %9s  %s\n' "$target" "$(cat "$run/elapsed")" "${executions:--}" \
    "${speed:--}" "${coverage:--}" "${features:--}" "$corpus" "$result"
done

for target in "${targets[@]}"; do
  run=$runs_dir/$target
  [ "$(cat "$run/status")" -eq 0 ] && [ -z "$(ls -A "$run/artifacts")" ] && continue
  echo
  echo "=== $target failed; the end of its log ($run/log):"
  tail -n 60 "$run/log"
  for artifact in "$run"/artifacts/*; do
    [ -e "$artifact" ] || continue
    mkdir -p "$findings_dir/$target"
    cp "$artifact" "$findings_dir/$target/"
    kept=$findings_dir/$target/$(basename "$artifact")
    echo
    echo "=== input kept at $kept ($(stat -c %s "$kept") bytes); reproduce with:"
    echo "    $build_dir/fuzz/${target}_fuzzer $kept"
    # Not od | head: head's early exit would end this script with SIGPIPE under pipefail.
    head -c 512 "$kept" | od -A x -t x1z -v
  done
done
exit "$failed"
