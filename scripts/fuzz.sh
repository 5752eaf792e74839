#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input with libFuzzer + ASan + UBSan: the .fcm model reader and the event-log
# readers (targets and properties in tests/fuzz/). Usage: scripts/fuzz.sh [SECONDS]   (default 60)
#
#  1. installs what is missing (scripts/setup.sh native, then clang and libclang-rt-14-dev);
#  2. configures and builds build/fuzz from tests/fuzz/CMakeLists.txt;
#  3. runs every file of tests/fuzz/regressions/<target>/ once (each must pass: inputs of fixed findings);
#  4. fuzzes every target for SECONDS, one after the other, starting from tests/fuzz/corpus/<target>; new inputs
#     go to a scratch folder, merged back into tests/fuzz/corpus/<target> (-merge=1, only what adds coverage)
#     when FUZZ_MERGE=1.
# Fails on any crash, leak, timeout, out-of-memory or sanitizer report; the input is kept under
# build/fuzz/artifacts/. Prints exec/s and total execs per target.
# Environment: FUZZ_MERGE=1 (merge new inputs), FUZZ_JOBS (build jobs, default 2), FUZZ_TARGETS (a subset).
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-60}"
case "$secs" in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

step() { printf '\n==== %s ====\n' "$*"; }

step "setup: native packages, clang + libFuzzer"
scripts/setup.sh fuzz

step "build: build/fuzz (clang, -fsanitize=fuzzer,address,undefined)"
cmake -S tests/fuzz -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build/fuzz -j "${FUZZ_JOBS:-2}"

targets=(${FUZZ_TARGETS:-fuzz_fcm_reader fuzz_events_parser})
declare -A max_len=([fuzz_fcm_reader]=24576 [fuzz_events_parser]=16384)
declare -A dict=([fuzz_events_parser]=tests/fuzz/events.dict)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
scratch="build/fuzz/run${FUZZ_TARGETS:+-${FUZZ_TARGETS// /-}}"  # per target set: parallel runs do not collide
artifacts="build/fuzz/artifacts"
rm -rf "$scratch"
mkdir -p "$scratch" "$artifacts"
# A sanitizer report that did not stop the run is still a failure.
reported() { grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$1"; }

failed=0
step "regressions: tests/fuzz/regressions/<target>/"
for t in "${targets[@]}"; do
  dir="tests/fuzz/regressions/$t"
  files=()
  [ -d "$dir" ] && while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -type f -print0 | sort -z)
  if [ "${#files[@]}" -eq 0 ]; then
    echo "$t: no regression inputs"
    continue
  fi
  log="$scratch/$t.regressions.log"
  if build/fuzz/"$t" -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts/$t-regression-" "${files[@]}" \
    >"$log" 2>&1 && ! reported "$log"; then
    echo "$t: ${#files[@]} regression input(s) pass"
  else
    echo "$t: a regression input fails:" >&2
    tail -n 40 "$log" >&2
    failed=1
  fi
done

declare -A execs rate
for t in "${targets[@]}"; do
  step "fuzz: $t for ${secs}s"
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  args=(-max_total_time="$secs" -max_len="${max_len[$t]:-16384}" -rss_limit_mb=2048 -timeout=10
    -print_final_stats=1 -artifact_prefix="$artifacts/$t-")
  [ -n "${dict[$t]:-}" ] && args+=(-dict="${dict[$t]}")
  status=0
  build/fuzz/"$t" "${args[@]}" "$scratch/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  execs[$t]=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate[$t]=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" || true
  if [ "$status" -ne 0 ] || reported "$log"; then
    echo "$t: FAILED (exit $status); log $log; input(s):" >&2
    grep -E 'ERROR:|SUMMARY:|FUZZ_CHECK|runtime error' "$log" | head -n 10 >&2 || true
    grep -E "Test unit written to|artifact_prefix" "$log" >&2 || true
    failed=1
  fi
  if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$status" -eq 0 ]; then
    build/fuzz/"$t" -merge=1 -max_len="${max_len[$t]:-16384}" -rss_limit_mb=2048 -timeout=10 \
      "tests/fuzz/corpus/$t" "$scratch/$t" >"$scratch/$t.merge.log" 2>&1 ||
      { echo "$t: merge failed, see $scratch/$t.merge.log" >&2; failed=1; }
    grep -E 'MERGE-OUTER: [0-9]+ new files' "$scratch/$t.merge.log" || true
  fi
done

step "summary (${secs}s per target)"
printf '%-20s %12s %12s\n' target "exec/s" "total execs"
for t in "${targets[@]}"; do printf '%-20s %12s %12s\n' "$t" "${rate[$t]:-?}" "${execs[$t]:-?}"; done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED" >&2
  exit 1
fi
echo "fuzz: no crash, leak, timeout or sanitizer report"
