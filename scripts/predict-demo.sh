#!/usr/bin/env bash
# Builds the native CLI (installing what is missing) and asks the committed demo model for a
# prediction: what a shopper who viewed two items and carted one will do next.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh native
if [ ! -x build/native/forecart ]; then
  cmake --preset native >/dev/null
  cmake --build --preset native --target forecart >&2
fi
model=demo/models/taobao.fcm
history="${1:-}"
if [ -z "$history" ]; then
  # The first three events of a real shopper in the Taobao slice the model was trained on.
  history="$(scripts/demo-history.sh)"
fi
echo "history: $history" >&2
build/native/forecart predict --model "$model" --history "$history" -k 10
