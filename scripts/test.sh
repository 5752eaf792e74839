#!/usr/bin/env bash
# Every test suite: native Release and ASan+UBSan Catch2 suites (ctest), then the CLI smoke test.
# This is what `npm test` and CI (.ci/run) run. Each step prints its runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh native

step() { printf '\n==== %s ====\n' "$*"; }

step "native: configure + build"
cmake --preset native >/dev/null
cmake --build --preset native
step "native: ctest"
ctest --preset native

step "asan (ASan + UBSan): configure + build"
cmake --preset asan >/dev/null
cmake --build --preset asan
step "asan: ctest"
ctest --preset asan

step "CLI smoke test: predict with the committed demo model"
scripts/predict-demo.sh >/dev/null && echo "predict-demo: ok"
