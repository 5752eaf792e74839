#!/usr/bin/env bash
# The scale run of docs/TRAINING.md, by hand (not in CI: ~15-25 min on 2 cores, ~2 GB of scratch files):
# a synthetic log of EVENTS events over ITEMS items (`forecart synth-log`: made-up data) written as CSV and
# as JSON Lines; each read with `forecart train --dry-run` (parse + intern, the `data: read in` line), then
# the CSV trained for EPOCHS epochs with sampled softmax (the `peak memory` of the `wrote` line covers
# reading and training). Usage: scripts/measure-scale.sh [EVENTS] [ITEMS] [EPOCHS]
# FORECART_CLI picks the binary, e.g. a build with the trainer's -march option (docs/TRAINING.md):
#   cmake -S . -B build/native-v3 -DCMAKE_BUILD_TYPE=Release -DFORECART_TRAIN_ARCH=x86-64-v3 -DFORECART_TESTS=OFF
#   cmake --build build/native-v3 --target forecart && FORECART_CLI=build/native-v3/forecart scripts/measure-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-10000000}
ITEMS=${2:-200000}
EPOCHS=${3:-2}
WORK=${SCALE_DIR:-build/scale}
mkdir -p "$WORK"
cli=${FORECART_CLI:-build/native/forecart}
[ -x "$cli" ] || { cmake --preset native >/dev/null && cmake --build --preset native --target forecart; }
echo "forecart: $cli; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

for fmt in csv jsonl; do
  [ -f "$WORK/log.$fmt" ] || $cli synth-log --events "$EVENTS" --items "$ITEMS" --seed 1 --out "$WORK/log.$fmt"
done
ls -l "$WORK"/log.*
for fmt in csv jsonl; do
  echo "== read $fmt"
  $cli train --data "$WORK/log.$fmt" --dry-run --out "$WORK/unused.fcm" 2>&1 | grep -E '^data: (.*events, |read in)'
done
echo "== train on the CSV: $EPOCHS epochs, sampled softmax"
$cli train --data "$WORK/log.csv" --epochs "$EPOCHS" --neg-samples 256 --val-users 10000 --threads 2 \
  --out "$WORK/scale.fcm" 2>&1 | grep -vE '^\r|^epoch .*\[' | tail -n 8
