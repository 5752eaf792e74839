#!/usr/bin/env bash
# The retraining measurement of docs/TRAINING.md, by hand (not in CI; ~10 min on 2 cores). On YooChoose
# (../shared/data/yoochoose_clicks_100k: train_full + test, 8 days of clicks, sessions as sequences):
#   scratch: `forecart train` on the whole log;
#   old:     the same on the first FRACTION of its time span (the model a shop has from yesterday);
#   warm:    `forecart train --init-from old.fcm` on the whole log, with WARM_FLAGS.
# Prints each run's training seconds (the training log's `seconds`, reading excluded) and the validation
# NDCG@10 / HR@10 of its model over all validation users (`forecart eval --split valid`).
# Usage: [SEED=1] [FORECART_CLI=...] scripts/measure-warm-start.sh [FRACTION] [WARM_FLAGS...]   (defaults: 0.9 --patience 1)
set -euo pipefail
cd "$(dirname "$0")/.."
FRACTION=${1:-0.9}
shift || true
WARM_FLAGS=("$@")
[ ${#WARM_FLAGS[@]} -gt 0 ] || WARM_FLAGS=(--patience 1)
DATA=../shared/data/yoochoose_clicks_100k
WORK=${WARM_DIR:-build/warm-start}
mkdir -p "$WORK"
cli=${FORECART_CLI:-build/native/forecart}  # e.g. a build with -DFORECART_TRAIN_ARCH (scripts/measure-scale.sh)
[ -x "$cli" ] || { cmake --preset native >/dev/null && cmake --build --preset native --target forecart; }
echo "forecart: $cli; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# One TSV of the whole log, and the part before FRACTION of its time span.
zcat "$DATA/yoochoose-clicks-100k_train_full.txt.gz" > "$WORK/all.tsv"
zcat "$DATA/yoochoose-clicks-100k_test.txt.gz" | tail -n +2 >> "$WORK/all.tsv"
cut=$(awk -F'\t' -v f="$FRACTION" 'NR > 1 { if (min == "" || $3 < min) min = $3; if ($3 > max) max = $3 }
  END { printf "%.0f", min + f * (max - min) }' "$WORK/all.tsv")
awk -F'\t' -v cut="$cut" 'NR == 1 || $3 < cut' "$WORK/all.tsv" > "$WORK/early.tsv"
echo "whole log: $(($(wc -l < "$WORK/all.tsv") - 1)) clicks; first $FRACTION of the span (before $cut):" \
  "$(($(wc -l < "$WORK/early.tsv") - 1)) clicks"

COMMON=(--columns user=SessionId,item=ItemId,time=Time --threads 2 --seed "${SEED:-1}")
run() {  # NAME DATA FLAGS...
  local name=$1 data=$2
  shift 2
  echo "== $name: forecart train --data $(basename "$data") ${COMMON[*]} $*"
  $cli train --data "$data" "${COMMON[@]}" "$@" --out "$WORK/$name.fcm" 2>&1 | grep -E '^(warm start|wrote)'
}
run scratch "$WORK/all.tsv"
run old "$WORK/early.tsv"
run warm "$WORK/all.tsv" --init-from "$WORK/old.fcm" "${WARM_FLAGS[@]}"

for name in scratch warm; do
  $cli eval --model "$WORK/$name.fcm" --data "$WORK/all.tsv" --columns user=SessionId,item=ItemId,time=Time \
    --split valid --json > "$WORK/$name.eval.json" 2> "$WORK/$name.eval.log"
done
python3 - "$WORK" <<'EOF'
import json, sys
w = sys.argv[1]
res = {}
for name in ("scratch", "old", "warm"):
    log = json.load(open(f"{w}/{name}.train.json"))
    res[name] = {"seconds": log["seconds"], "epochs": len(log["epochs"]), "best": log["best_epoch"]}
for name in ("scratch", "warm"):
    m = json.load(open(f"{w}/{name}.eval.json"))["model"]["full"]
    res[name].update(ndcg=m["ndcg@10"], hr=m["hr@10"])
s, wm = res["scratch"], res["warm"]
for name in ("scratch", "old", "warm"):
    r = res[name]
    extra = f"  valid NDCG@10 {r['ndcg']:.4f}  HR@10 {r['hr']:.4f}" if "ndcg" in r else ""
    print(f"{name:8} {r['seconds']:7.1f} s training, {r['epochs']} epochs (best {r['best']}){extra}")
print(f"warm / scratch: NDCG@10 {wm['ndcg'] / s['ndcg']:.3f} (floor 0.98), time {wm['seconds'] / s['seconds']:.3f}"
      f" (floor 0.333)")
EOF
