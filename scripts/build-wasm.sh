#!/usr/bin/env bash
# Builds the shipped WASM module (Emscripten 3.1.6 from Debian) into dist/: forecart.mjs + forecart.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh wasm
export NODE_PATH=/usr/share/nodejs   # Debian's emscripten needs acorn from here (see docs)
cmake --preset wasm >/dev/null
cmake --build --preset wasm --target forecart_wasm >&2
mkdir -p dist
cp build/wasm/dist/forecart.mjs build/wasm/dist/forecart.wasm dist/
simd=$(wasm-objdump -d dist/forecart.wasm | grep -c v128 || true)
echo "dist/forecart.wasm: $(wc -c < dist/forecart.wasm) bytes ($(gzip -9c dist/forecart.wasm | wc -c) gzip), ${simd} v128 instructions" >&2
[ "$simd" -gt 0 ] || { echo "build-wasm: no SIMD instructions in the module" >&2; exit 1; }
