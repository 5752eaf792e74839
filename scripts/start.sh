#!/usr/bin/env bash
# `npm start`: sets up what is missing, builds the WASM module, makes sure the demo model exists and
# serves the storefront demo on http://127.0.0.1:${PORT:-8080}/demo/ (foreground; Ctrl+C stops).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh wasm                        # apt: emscripten, wabt, binaryen (+ the native toolchain)
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/build-wasm.sh                   # dist/forecart.mjs + dist/forecart.wasm
if [ ! -f demo/models/taobao.fcm ]; then
  echo "start: demo/models/taobao.fcm is missing; training it from the Taobao slice (takes a few minutes)" >&2
  bash scripts/train-demo-model.sh
fi
exec node scripts/serve.mjs
