#!/usr/bin/env bash
# Every test suite; what `npm test` and CI (.ci/run) run. Installs what is missing (apt packages
# through scripts/setup.sh, npm packages with npm ci), builds, and prints each runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs   # Debian's emscripten needs acorn from here
# In CI a missing ../shared/data dataset fails the [shared-data] tests instead of skipping them.
if [ -n "${CI:-}" ]; then export FORECART_REQUIRE_DATA=1; fi

step() { printf '\n==== %s ====\n' "$*"; }

step "setup: apt packages (native, wasm, browser) and npm packages"
scripts/setup.sh all
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

step "format: clang-format --dry-run -Werror over src, bindings, tests"
sources=$(git ls-files -- 'src/*.cpp' 'src/*.h' 'bindings/*.cpp' 'tests/*.cpp' 'tests/*.h')
clang-format --dry-run -Werror $sources
echo "clang-format: $(wc -w <<< "$sources") files clean"

step "native (Release): build + Catch2 suite"
cmake --preset native >/dev/null
cmake --build --preset native
ctest --preset native -LE shared-data

step "shared data: the [shared-data] tests on ../shared/data (FORECART_REQUIRE_DATA=${FORECART_REQUIRE_DATA:-0})"
ctest --preset native -L shared-data

step "asan (ASan + UBSan): build + Catch2 suite"
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -LE shared-data

step "wasm: module + Catch2 suite compiled to WASM, run under Node"
scripts/build-wasm.sh
cmake --build --preset wasm
ctest --preset wasm

step "JS API tests (Node entry, against the native CLI)"
node --test tests/js/
node bench/check-report-markers.mjs

step "types: tsc --noEmit against a typed usage file"
npx tsc -p tests/types && echo "tsc: index.d.ts and worker-client.d.ts check"

step "npm pack -> install into an empty folder -> import and predict"
node --test tests/pack/

step "browser tests (headless Chromium: demo, failure modes, Vite bundler check)"
bash scripts/test-browser.sh

step "fuzzing: every libFuzzer target for 60 s (long runs: scripts/fuzz.sh SECONDS by hand)"
bash scripts/fuzz.sh 60

step "CLI smoke test: predict with the committed demo model"
scripts/predict-demo.sh > /dev/null && echo "predict-demo: ok"
echo "all suites passed"
