#!/usr/bin/env bash
# `npm run test:browser`: the storefront demo and the bundler check in headless Debian Chromium
# (playwright-core, no browser download). Builds what the tests need first:
#   - the WASM module (dist/), always;
#   - a model: demo/models/taobao.fcm when present, otherwise a small model trained by the native
#     CLI on the real Taobao fixture (the full demo model takes minutes: scripts/train-demo-model.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh wasm
scripts/setup.sh browser
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/build-wasm.sh

if [ -z "${FORECART_TEST_MODEL:-}" ] && [ ! -f demo/models/taobao.fcm ]; then
  echo "test-browser: no demo/models/taobao.fcm; training a small model on tests/fixtures/taobao_users200.csv" >&2
  cmake --preset native >/dev/null
  cmake --build --preset native --target forecart
  mkdir -p test-results/models
  build/native/forecart train --data tests/fixtures/taobao_users200.csv --no-header \
    --columns user=0,item=1,category=2,action=3,time=4 --dim 16 --layers 2 --heads 2 --max-len 20 \
    --epochs 3 --threads 1 --seed 1 --out test-results/models/taobao.fcm >/dev/null
  export FORECART_TEST_MODEL="$PWD/test-results/models/taobao.fcm"
fi

mkdir -p test-results
# One test file at a time: each drives its own Chromium, and the machine may be small.
node --test --test-concurrency=1 tests/browser/ tests/bundler/
