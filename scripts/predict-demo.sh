#!/usr/bin/env bash
# Builds the native CLI (installing what is missing) and asks the committed demo model what a
# shopper will do next. The default history is the first four events of a real shopper (user
# 715922) in the Taobao UserBehavior slice the model was trained on; pass your own as
# "item:action,item:action,..." (actions: pv, cart, fav, buy).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh native
if [ ! -x build/native/forecart ]; then
  cmake --preset native >/dev/null
  cmake --build --preset native --target forecart >&2
fi
history="${1:-3604996:pv,3604996:pv,1482758:pv,2670011:cart}"
echo "history: $history" >&2
build/native/forecart predict --model demo/models/taobao.fcm --history "$history" -k 10
