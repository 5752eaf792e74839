#!/usr/bin/env bash
# Rebuilds the demo's committed model, demo/models/taobao.fcm, from the real Taobao UserBehavior
# slice (../shared/data/taobao_userbehavior_slice; Alibaba Tianchi dataset 649). Items seen once
# are dropped so that the committed file stays small.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${FORECART_DATA_DIR:-../shared/data}/taobao_userbehavior_slice/UserBehavior.csv.gz"
[ -f "$data" ] || { echo "train-demo-model: $data not found" >&2; exit 1; }
scripts/setup.sh native
cmake --preset native >/dev/null
cmake --build --preset native --target forecart >&2
build/native/forecart train --data "$data" --no-header --columns user=0,item=1,category=2,action=3,time=4 \
  --min-item-events 2 --dim 32 --layers 2 --heads 2 --max-len 20 --dropout 0.3 --epochs 60 --patience 8 \
  --threads 2 --seed 1 --out demo/models/taobao.fcm
build/native/forecart eval --model demo/models/taobao.fcm --data "$data" --no-header \
  --columns user=0,item=1,category=2,action=3,time=4 --min-item-events 2 | tee demo/models/taobao.eval.txt
