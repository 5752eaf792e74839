#!/usr/bin/env bash
# Rebuilds the demo's two committed catalogues with the native CLI, each with its eval reports beside it:
#
#   demo/models/taobao.fcm  the Taobao UserBehavior slice (../shared/data/taobao_userbehavior_slice;
#                           Alibaba Tianchi dataset 649): anonymous ids, four actions (pv, cart, fav, buy).
#                           Items seen once are dropped so that the committed file stays small.
#   demo/models/uci.fcm     the UCI Online Retail invoices (../shared/data/uci_online_retail; a UK gift
#                           shop, CC BY 4.0): real product names, purchases only (one action, "purchase").
#                           With uci.names.json: {StockCode: Description} of the model's items.
#
# Beside each model: NAME.eval.txt and NAME.eval.json (`forecart eval`, test split, with the baselines)
# and NAME.train.json (the training log the CLI writes). Usage:
#   scripts/train-demo-model.sh            # both
#   scripts/train-demo-model.sh taobao     # or: uci
# FORECART_DATA_DIR overrides ../shared/data; FORECART_CLI uses that forecart binary instead of building
# build/native/forecart (e.g. one built from a clean checkout of a commit). Prepared inputs go to
# build/demo/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir="${FORECART_DATA_DIR:-../shared/data}"
which="${1:-all}"
case "$which" in all | taobao | uci) ;; *) echo "train-demo-model: unknown catalogue '$which' (taobao, uci or all)" >&2; exit 2 ;; esac
cli="${FORECART_CLI:-build/native/forecart}"
out=demo/models
prep=build/demo

need() { [ -f "$1" ] || { echo "train-demo-model: $1 not found" >&2; exit 1; }; }
since() { echo $(($(date +%s) - $1)); }

if [ -z "${FORECART_CLI:-}" ]; then
  scripts/setup.sh native
  cmake --preset native >/dev/null
  cmake --build --preset native --target forecart >&2
fi
[ -x "$cli" ] || { echo "train-demo-model: $cli is not an executable" >&2; exit 1; }
mkdir -p "$out" "$prep"

# ---- Taobao: the flags of the committed demo model ----
taobao() {
  local data="$data_dir/taobao_userbehavior_slice/UserBehavior.csv.gz" t0
  need "$data"
  local dargs=(--data "$data" --no-header --columns user=0,item=1,category=2,action=3,time=4 --min-item-events 2)
  t0=$(date +%s)
  "$cli" train "${dargs[@]}" --dim 32 --layers 2 --heads 2 --max-len 20 --dropout 0.3 --epochs 60 --patience 8 \
    --threads 2 --seed 1 --out "$out/taobao.fcm"
  echo "train-demo-model: taobao trained in $(since "$t0") s" >&2
  "$cli" eval --model "$out/taobao.fcm" "${dargs[@]}" --threads 2 | tee "$out/taobao.eval.txt"
  "$cli" eval --model "$out/taobao.fcm" "${dargs[@]}" --threads 2 --json > "$out/taobao.eval.json"
}

# ---- UCI Online Retail: invoice lines as purchases, the customer as the user ----
# The preparation of scripts/reproduce-accuracy.sh: lines without a CustomerID (guest checkouts),
# cancellations (InvoiceNo C..., Quantity <= 0) and StockCodes that are no products (POST, DOT, M,
# BANK CHARGES, ...: codes not starting with 5 digits) dropped. The same pass counts the descriptions
# of each StockCode (a few codes were renamed over the year: the most frequent one wins).
uci() {
  local src="$data_dir/uci_online_retail/online_retail.csv.gz" t0
  need "$src"
  python3 scripts/prepare-uci.py "$src" "$prep/uci-purchases.csv" "$prep/uci-descriptions.json"
  local dargs=(--data "$prep/uci-purchases.csv#action=purchase" --columns user=CustomerID,item=StockCode,time=InvoiceDate
    --min-item-events 5)
  # A small model so that the committed file stays a few hundred KB and training takes a few minutes
  # on 2 cores: d = 32, 20 events attended to, at most 12 epochs or 5 minutes (the best epoch so far is kept).
  t0=$(date +%s)
  "$cli" train "${dargs[@]}" --dim 32 --layers 2 --heads 2 --max-len 20 --dropout 0.3 --epochs 12 --patience 4 --minutes 5 \
    --follow-top 10 --threads 2 --seed 1 --out "$out/uci.fcm"
  echo "train-demo-model: uci trained in $(since "$t0") s" >&2
  "$cli" eval --model "$out/uci.fcm" "${dargs[@]}" --threads 2 | tee "$out/uci.eval.txt"
  "$cli" eval --model "$out/uci.fcm" "${dargs[@]}" --threads 2 --json > "$out/uci.eval.json"
  # The names of the model's items only (its catalogue: an empty history ranks every item).
  "$cli" predict --model "$out/uci.fcm" --history "" -k 100000 > "$prep/uci-catalogue.json"
  python3 - "$prep/uci-catalogue.json" "$prep/uci-descriptions.json" "$out/uci.names.json" <<'EOF'
import json, sys
items = [x["item"] for x in json.load(open(sys.argv[1]))["items"]]
names = json.load(open(sys.argv[2], encoding="utf-8"))
shown = {code: names[code] for code in sorted(items) if code in names}
with open(sys.argv[3], "w", encoding="utf-8") as g:  # one entry per line: readable diffs
    g.write("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in shown.items()) + "\n}\n")
print(f"uci: {len(shown)} of {len(items)} model items named in {sys.argv[3]}", file=sys.stderr)
EOF
}

if [ "$which" = all ] || [ "$which" = taobao ]; then taobao; fi
if [ "$which" = all ] || [ "$which" = uci ]; then uci; fi
ls -l "$out" >&2
