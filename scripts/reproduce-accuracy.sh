#!/usr/bin/env bash
# Reproduces docs/ACCURACY.md, by hand (not in CI: a few hours on 2 cores). For every real dataset in
# ../shared/data (otto_sample left out: 20 sessions, a format fixture), `forecart train` with the default
# flags (only the data-reading flags, plus --threads 2 --seed 1) writes the int8 model and the fp32 model of
# the same trained weights (`--fp32-twin`); `forecart eval --json --split test` measures both (full ranking,
# sampled-100, next action, and the popular / co-occurrence / recent baselines of the same run). The table
# gives accuracy, the int8 cost, the margin over the best baseline, training time and model size, beside the
# PyTorch SASRec reference figures of ../shared/reference/README.md. Raw outputs stay in build/accuracy/.
#
# Usage: [FORECART_CLI=...] [FORECART_DATA_DIR=...] scripts/reproduce-accuracy.sh [--quick] [--epochs N]
#            [--out FILE] [--render-only] [DATASET...]
#   DATASET         a subset, by name: Beauty Sports_and_Outdoors Toys_and_Games Video diginetica yoochoose
#                   taobao jd uci (default: all of them)
#   --quick         smoke run: Beauty and taobao only (unless DATASETs are named), --epochs 2, raw outputs in
#                   build/accuracy/quick/, markdown to build/accuracy/ACCURACY-quick.md
#   --epochs N      cap the epochs (a smoke test; the header of the markdown says so)
#   --out FILE      the markdown file (default docs/ACCURACY.md, or the quick one above)
#   --render-only   train nothing: render the markdown from the raw outputs already in build/accuracy/
# FORECART_CLI picks the binary (default build/native/forecart; build/native-v3/forecart, the
# -DFORECART_TRAIN_ARCH=x86-64-v3 build of scripts/measure-scale.sh, trains about twice as fast).
# Without `train --fp32-twin` in the binary, the fp32 model is a second training with --fp32 (same seed and
# threads: the same weights; the script checks that both runs logged the same validation figures).
set -euo pipefail
cd "$(dirname "$0")/.."

ALL=(Beauty Sports_and_Outdoors Toys_and_Games Video diginetica yoochoose taobao jd uci)
QUICK_SET=(Beauty taobao)
SEEDED=(taobao jd)  # small action-typed slices: three seeds, the mean reported
die() { echo "reproduce-accuracy: $*" >&2; exit 1; }

# Shell-quotes a command for the markdown (single quotes where needed).
shq() {
  local a s=""
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./=:,@+%-]+$ ]]; then s+="$a "; else s+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${s% }"
}

orig_args=("$@")
quick=0 render_only=0 epochs="" out="" names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --render-only) render_only=1 ;;
    --epochs) [ $# -ge 2 ] || die "--epochs needs a number"; epochs=$2; shift ;;
    --epochs=*) epochs=${1#--epochs=} ;;
    --out) [ $# -ge 2 ] || die "--out needs a file"; out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) names+=("$1") ;;
  esac
  shift
done
[ -z "$epochs" ] || [[ "$epochs" =~ ^[1-9][0-9]*$ ]] || die "--epochs: '$epochs' is not a positive number"
if [ "$quick" = 1 ]; then
  epochs=${epochs:-2}
  WORK=build/accuracy/quick
  out=${out:-build/accuracy/ACCURACY-quick.md}
  [ ${#names[@]} -gt 0 ] || names=("${QUICK_SET[@]}")
else
  WORK=build/accuracy
  out=${out:-docs/ACCURACY.md}
  [ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
fi
# Names are matched case-insensitively; a few aliases (the data folders' names).
canon() {
  case "${1,,}" in
    beauty) echo Beauty ;;
    sports|sports_and_outdoors) echo Sports_and_Outdoors ;;
    toys|toys_and_games) echo Toys_and_Games ;;
    video|video_games|amazon_video_games_sasrec) echo Video ;;
    diginetica) echo diginetica ;;
    yoochoose|yoochoose_clicks_100k) echo yoochoose ;;
    taobao|taobao_userbehavior_slice) echo taobao ;;
    jd|jd_microbehavior_demo) echo jd ;;
    uci|uci_online_retail|online_retail) echo uci ;;
    *) return 1 ;;
  esac
}
selected=()
for n in "${names[@]}"; do
  c=$(canon "$n") || die "unknown dataset '$n' (known: ${ALL[*]})"
  selected+=("$c")
done

DATA=${FORECART_DATA_DIR:-../shared/data}
PREP=build/accuracy/data  # derived inputs (joined, sorted or filtered copies), shared by full and quick runs
cli=${FORECART_CLI:-build/native/forecart}
THREADS=(--threads 2)
SEED=(--seed 1)

# The source files of a dataset (all must exist).
sources() {
  case "$1" in
    Beauty|Sports_and_Outdoors|Toys_and_Games) echo "$DATA/amazon_s3rec/$1.txt.gz" ;;
    Video) echo "$DATA/amazon_video_games_sasrec/Video.txt.gz" ;;
    diginetica) echo "$DATA/diginetica/sample_train-item-views.csv.gz" ;;
    yoochoose) echo "$DATA/yoochoose_clicks_100k/yoochoose-clicks-100k_train_full.txt.gz" \
      "$DATA/yoochoose_clicks_100k/yoochoose-clicks-100k_test.txt.gz" ;;
    taobao) echo "$DATA/taobao_userbehavior_slice/UserBehavior.csv.gz" ;;
    jd) echo "$DATA/jd_microbehavior_demo/train.csv.gz" "$DATA/jd_microbehavior_demo/test.csv.gz" ;;
    uci) echo "$DATA/uci_online_retail/online_retail.csv.gz" ;;
  esac
}

# Fail loudly, before any training, if a selected dataset's file is missing.
missing=()
for ds in "${selected[@]}"; do
  for f in $(sources "$ds"); do [ -f "$f" ] || missing+=("$ds: $f"); done
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'reproduce-accuracy: missing data file %s\n' "${missing[@]}" >&2
  die "${#missing[@]} data file(s) not found (FORECART_DATA_DIR=$DATA); nothing was run"
fi

# Builds the derived input of a dataset (if any) and sets DARGS, the data-reading flags of train and eval.
# PREP_CMD describes the preparation for the markdown ("" = the file is read as it is).
prepare() {
  local ds=$1 src srcs=()
  PREP_CMD=""
  case "$ds" in
    Beauty|Sports_and_Outdoors|Toys_and_Games|Video)
      # SASRec text ("user item item ..." or "user item" per line): detected, no flags.
      DARGS=(--data "$(sources "$ds")") ;;
    diginetica)
      # The views (the session-rec benchmarks' input), sessions as sequences. eventdate is a date only and the
      # rows of a session are not in timeframe order in the file, so a copy sorted by (session, timeframe)
      # is read: same-day ties keep that order (the sort of each sequence by time is stable).
      src=$(sources diginetica)
      mkdir -p "$PREP"
      PREP_CMD="zcat $src | { IFS= read -r h; echo \"\$h\"; LC_ALL=C sort -s -t';' -k1,1n -k4,4n; } > $PREP/diginetica-views.csv"
      zcat "$src" | { IFS= read -r h; echo "$h"; LC_ALL=C sort -s -t';' -k1,1n -k4,4n; } > "$PREP/diginetica-views.csv"
      DARGS=(--data "$PREP/diginetica-views.csv" --columns 'user=session_id|sessionId,item=item_id|itemId,time=eventdate') ;;
    yoochoose)
      # train_full + test as one log (as scripts/measure-warm-start.sh reads it), sessions as sequences.
      read -r -a srcs <<< "$(sources yoochoose)"
      mkdir -p "$PREP"
      PREP_CMD="{ zcat ${srcs[0]}; zcat ${srcs[1]} | tail -n +2; } > $PREP/yoochoose.tsv"
      { zcat "${srcs[0]}"; zcat "${srcs[1]}" | tail -n +2; } > "$PREP/yoochoose.tsv"
      DARGS=(--data "$PREP/yoochoose.tsv" --columns "user=SessionId,item=ItemId,time=Time") ;;
    taobao)
      DARGS=(--data "$(sources taobao)" --no-header --columns "user=0,item=1,category=2,action=3,time=4") ;;
    jd)
      # train + test (later sessions, items seen in train) as one log; sessions (MKM-SR's sessionId) as
      # sequences; the JData action codes named as the data README gives them (2 = order: the purchase).
      read -r -a srcs <<< "$(sources jd)"
      DARGS=(--data "${srcs[0]}" --data "${srcs[1]}" --columns "user=sessionId,item=sku_id,action=type,time=action_time"
        --actions "1=browse,2=order,3=follow,4=comment") ;;
    uci)
      # Invoice lines as purchases, the customer as the user: lines without CustomerID (guest checkouts),
      # cancellations (InvoiceNo C..., Quantity <= 0) and StockCodes that are no products (POST, DOT, M,
      # BANK CHARGES, ...: codes not starting with 5 digits) dropped.
      src=$(sources uci)
      mkdir -p "$PREP"
      PREP_CMD="scripts/prepare-uci.py $src $PREP/uci-purchases.csv (keeps the lines with a CustomerID, an InvoiceNo not starting with C, Quantity > 0 and a StockCode starting with 5 digits; writes CustomerID,StockCode,InvoiceDate)"
      python3 scripts/prepare-uci.py "$src" "$PREP/uci-purchases.csv"
      DARGS=(--data "$PREP/uci-purchases.csv#action=purchase" --columns "user=CustomerID,item=StockCode,time=InvoiceDate") ;;
  esac
}

if [ "$render_only" = 0 ]; then
  [ -x "$cli" ] || die "$cli not found: build it (cmake --preset native && cmake --build --preset native --target forecart) or set FORECART_CLI"
  twin=0
  help=$("$cli" train --help 2>&1)  # (not piped into grep -q: with pipefail, its early exit would read as a failure)
  [[ "$help" != *--fp32-twin* ]] || twin=1
  [ "$twin" = 1 ] || echo "reproduce-accuracy: $cli has no train --fp32-twin: the fp32 model is a second training with --fp32" >&2
  EPOCH_ARGS=()
  [ -z "$epochs" ] || EPOCH_ARGS=(--epochs "$epochs")
  echo "forecart: $cli ($("$cli" --version 2>&1 | head -1)); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "datasets: ${selected[*]}${epochs:+; --epochs $epochs}; raw outputs in $WORK/"
  now() { date +%s.%N; }
  since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
  for ds in "${selected[@]}"; do
    dir="$WORK/$ds"
    rm -rf "$dir"
    mkdir -p "$dir"
    prepare "$ds"
    printf '%s\n' "$PREP_CMD" > "$dir/prep.cmd"
    train=("$cli" train "${DARGS[@]}" "${THREADS[@]}" "${SEED[@]}" "${EPOCH_ARGS[@]}" --out "$dir/int8.fcm")
    [ "$twin" = 0 ] || train+=(--fp32-twin "$dir/fp32.fcm")
    echo "== $ds: $(shq "${train[@]}")"
    t0=$(now)
    "${train[@]}" 2>&1 | tee "$dir/train.log" | grep --line-buffered -vE '^data: read in' | sed -u 's/^/   /' ||
      die "$ds: training failed (log: $dir/train.log)"
    since "$t0" > "$dir/int8.wall"
    { shq "${train[@]}"; echo; } > "$dir/train.cmd"
    if [ "$twin" = 0 ]; then
      train32=("$cli" train "${DARGS[@]}" "${THREADS[@]}" "${SEED[@]}" "${EPOCH_ARGS[@]}" --fp32 --out "$dir/fp32.fcm")
      echo "== $ds (fp32 by a second training): $(shq "${train32[@]}")"
      t0=$(now)
      "${train32[@]}" > "$dir/train-fp32.log" 2>&1 || { tail -n 5 "$dir/train-fp32.log" >&2; die "$ds: fp32 training failed"; }
      since "$t0" > "$dir/fp32.wall"
      grep -E '^wrote' "$dir/train-fp32.log" | sed 's/^/   /'
      { shq "${train32[@]}"; echo; } >> "$dir/train.cmd"
    fi
    [ -f "$dir/fp32.fcm" ] || die "$ds: $dir/fp32.fcm was not written"
    : > "$dir/eval.cmd"
    for w in int8 fp32; do
      ev=("$cli" eval --model "$dir/$w.fcm" "${DARGS[@]}" "${THREADS[@]}" --json --split test)
      t0=$(now)
      "${ev[@]}" > "$dir/$w.eval.json" 2> "$dir/$w.eval.log" || { cat "$dir/$w.eval.log" >&2; die "$ds: eval of $w.fcm failed"; }
      echo "   eval $w ($(since "$t0") s): $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["model"]["full"]; print("test NDCG@10 %.4f  HR@10 %.4f" % (m["ndcg@10"], m["hr@10"]))' "$dir/$w.eval.json")"
      echo "$(shq "${ev[@]}") > $dir/$w.eval.json" >> "$dir/eval.cmd"
    done
    # Small action-typed slices: two more seeds (int8), reported as the mean of three.
    if [ "$quick" = 0 ] && [[ " ${SEEDED[*]} " == *" $ds "* ]]; then
      for s in 2 3; do
        seeded=("$cli" train "${DARGS[@]}" "${THREADS[@]}" --seed "$s" "${EPOCH_ARGS[@]}" --out "$dir/seed$s.fcm")
        echo "== $ds, seed $s: $(shq "${seeded[@]}")"
        "${seeded[@]}" > "$dir/seed$s.train.log" 2>&1 || { tail -n 5 "$dir/seed$s.train.log" >&2; die "$ds: seed $s failed"; }
        grep -E '^wrote' "$dir/seed$s.train.log" | sed 's/^/   /'
        "$cli" eval --model "$dir/seed$s.fcm" "${DARGS[@]}" "${THREADS[@]}" --json --split test > "$dir/seed$s.eval.json" \
          2> "$dir/seed$s.eval.log" || { cat "$dir/seed$s.eval.log" >&2; die "$ds: eval of seed $s failed"; }
        { shq "${seeded[@]}"; echo; } >> "$dir/train.cmd"
      done
    fi
  done
fi

# The markdown.
for ds in "${selected[@]}"; do
  [ -f "$WORK/$ds/fp32.eval.json" ] || die "no results for $ds in $WORK/$ds (run without --render-only first)"
done
invocation="scripts/reproduce-accuracy.sh"
for a in "${orig_args[@]}"; do [ "$a" = --render-only ] || invocation+=" $(shq "$a")"; done
[ -z "${FORECART_CLI:-}" ] || invocation="FORECART_CLI=$(shq "$FORECART_CLI") $invocation"
[ -z "${FORECART_DATA_DIR:-}" ] || invocation="FORECART_DATA_DIR=$(shq "$FORECART_DATA_DIR") $invocation"
dirty=""
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=" + uncommitted changes"
mkdir -p "$(dirname "$out")"
ACC_DATE=$(date -u '+%Y-%m-%d %H:%M UTC') ACC_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$dirty" \
ACC_NPROC=$(nproc) ACC_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
ACC_CLI="$cli" ACC_QUICK=$quick ACC_EPOCHS="$epochs" ACC_INVOCATION="$invocation" ACC_RENDER_ONLY=$render_only \
python3 - "$WORK" "$out" "${selected[@]}" <<'EOF'
import json, os, re, sys

work, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
env = os.environ
BASELINES = ("popular", "cooccurrence", "recent")
LABEL = {"Beauty": "Beauty (S3-Rec)", "Sports_and_Outdoors": "Sports_and_Outdoors (S3-Rec)",
         "Toys_and_Games": "Toys_and_Games (S3-Rec)", "Video": "Video Games (SASRec file)",
         "diginetica": "Diginetica views (sessions)", "yoochoose": "YooChoose 100k (sessions)",
         "taobao": "Taobao slice", "jd": "JD micro-behaviour (sessions)", "uci": "UCI Online Retail (customers)"}
BEAUTY_TARGETS = ((0.0454, "the reference's test NDCG@10"), (0.0546, "the reference's best validation NDCG@10"))


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


def f4(x):
    return "—" if x is None else f"{x:.4f}"


def pair(m):
    return f"{f4(m.get('ndcg@10'))} / {f4(m.get('hr@10'))}" if m else "—"


def rel(a, b):
    if a is None or b is None or b == 0:
        return None
    return (a - b) / b


def pct(x):
    return "—" if x is None else f"{x * 100:+.1f} %"


def pct2(x):
    return "—" if x is None else f"{x * 100:+.2f} %"


def size(n):
    return f"{n / 1e6:.2f} MB"


def table(lines, head, body):
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for r in body:
        lines.append("| " + " | ".join(r) + " |")
    lines.append("")


rows, action_rows, train_rows, data_notes, commands, warnings = [], [], [], [], [], []
seed_rows, action_floor_rows = [], []
beauty_line, config, has_evidence = None, None, False
for name in names:
    d = os.path.join(work, name)
    ev = {w: json.load(open(os.path.join(d, f"{w}.eval.json"))) for w in ("int8", "fp32")}
    log = json.load(open(os.path.join(d, "int8.train.json")))
    config = config or log.get("config")
    train_log = read(os.path.join(d, "train.log"))
    m = re.search(r"^data: (\d+) events, (\d+) users, (\d+) items", train_log, re.M)
    events, users, items = (int(g) for g in m.groups()) if m else (None, None, None)
    notes = [l for l in train_log.splitlines() if l.startswith("data:") and not l.startswith("data: read in")]
    prep = read(os.path.join(d, "prep.cmd"))
    data_notes.append((name, prep, notes))
    commands.append((name, prep, read(os.path.join(d, "train.cmd")), read(os.path.join(d, "eval.cmd"))))
    # fp32 by a second training: the same weights give the same validation figures.
    log32_path = os.path.join(d, "fp32.train.json")
    fp32_how = "`--fp32-twin`"
    if os.path.exists(log32_path):
        fp32_how = "second training, `--fp32`"
        log32 = json.load(open(log32_path))
        a = [e["valid_ndcg@10"] for e in log["epochs"]]
        b = [e["valid_ndcg@10"] for e in log32["epochs"]]
        if a != b:
            warnings.append(f"{name}: the --fp32 training logged other validation figures than the int8 one: "
                            "its model is not the fp32 twin of the same weights")

    mi, mf = ev["int8"]["model"], ev["fp32"]["model"]
    base = ev["int8"]["baselines"]
    best = ev["int8"].get("best_baseline") or {}
    bn, bh = best.get("ndcg@10"), best.get("hr@10")
    best_cell = bn if bn == bh else f"{bn} (NDCG) / {bh} (HR)"
    margin_n = rel(mi["full"]["ndcg@10"], base[bn]["full"]["ndcg@10"]) if bn in base else None
    margin_h = rel(mi["full"]["hr@10"], base[bh]["full"]["hr@10"]) if bh in base else None
    beats = "yes" if ev["int8"].get("model_beats_baselines") else "no"
    if ev["fp32"].get("model_beats_baselines") != ev["int8"].get("model_beats_baselines"):
        beats += f" (fp32: {'yes' if ev['fp32'].get('model_beats_baselines') else 'no'})"
    wall = read(os.path.join(d, "int8.wall"))
    epochs = log.get("epochs", [])
    train_cell = (f"{log['seconds']:.0f} s ({float(wall):.0f} s wall); {len(epochs)} ep, best {log.get('best_epoch')}"
                  if wall else f"{log['seconds']:.0f} s; {len(epochs)} ep, best {log.get('best_epoch')}")
    sizes = f"{size(os.path.getsize(os.path.join(d, 'int8.fcm')))} / {size(os.path.getsize(os.path.join(d, 'fp32.fcm')))}"
    counts = f"{events:,} / {users:,} / {items:,}" if events is not None else "?"
    rows.append([LABEL.get(name, name), counts, f"{ev['int8']['users']:,}", pair(mi["full"]), pair(mf["full"]),
                 pct2(rel(mi["full"]["ndcg@10"], mf["full"]["ndcg@10"])),
                 *(pair(base[b]["full"]) if b in base else "—" for b in BASELINES),
                 best_cell, f"{pct(margin_n)} / {pct(margin_h)}", beats,
                 f"{pair(mi.get('sampled100'))} ({pair(mf.get('sampled100'))})", train_cell, sizes])

    tps = sorted(e.get("tokens_per_s", 0) for e in epochs)
    med = tps[len(tps) // 2] if len(tps) % 2 else (sum(tps[len(tps) // 2 - 1:len(tps) // 2 + 1]) / 2 if tps else None)
    evd = log.get("evidence")
    if evd:
        has_evidence = True
        evd_cell = (f"{f4(evd.get('valid_ndcg@10_model_alone'))} → {f4(evd.get('valid_ndcg@10'))} / "
                    f"{f4(evd.get('valid_hr@10_model_alone'))} → {f4(evd.get('valid_hr@10'))}"
                    + (f" ({evd['valid_users']:,} users)" if evd.get("valid_users") else ""))
    else:
        evd_cell = "—"
    best_ep = log.get("best_epoch") or 0
    best_valid = epochs[best_ep - 1] if 0 < best_ep <= len(epochs) else {}
    train_rows.append([LABEL.get(name, name), f"{len(epochs)} / {best_ep}", f"{log['seconds']:.1f}",
                       f"{float(wall):.1f}" if wall else "—",
                       f"{med:,.0f}" if med else "—", f"{log.get('train_tokens', 0):,}",
                       f"{log.get('peak_rss_mb', 0):.0f} MB",
                       f"{f4(best_valid.get('valid_ndcg@10'))} / {f4(best_valid.get('valid_hr@10'))}", evd_cell, fp32_how])

    seeds = [ev["int8"]] + [json.load(open(os.path.join(d, f"seed{k}.eval.json")))
                            for k in (2, 3) if os.path.exists(os.path.join(d, f"seed{k}.eval.json"))]
    if len(seeds) == 3:
        mean = lambda get: sum(get(e) for e in seeds) / 3
        mn = mean(lambda e: e["model"]["full"]["ndcg@10"])
        mh = mean(lambda e: e["model"]["full"]["hr@10"])
        cell = lambda e: f"{f4(e['model']['full']['ndcg@10'])} / {f4(e['model']['full']['hr@10'])}"
        bnd, bhr = base[bn]["full"]["ndcg@10"], base[bh]["full"]["hr@10"]
        acts = [e["model"].get("action") or {} for e in seeds]
        act_mean = ("—" if not acts[0] else
                    f"{sum(a['accuracy'] for a in acts) / 3:.4f} / {sum(a['log_loss'] for a in acts) / 3:.4f} / "
                    f"{sum(a['ece'] for a in acts) / 3:.4f}")
        seed_rows.append([LABEL.get(name, name), *(cell(e) for e in seeds), f"**{mn:.4f} / {mh:.4f}**",
                          f"{bn} {bnd:.4f} / {bh} {bhr:.4f}", f"{pct(rel(mn, bnd))} / {pct(rel(mh, bhr))}",
                          "yes" if mn > bnd and mh > bhr else "no", act_mean])
        if acts[0]:
            # The next-action floors, on the means of the three seeds against each seed run's own baselines
            # (the baselines are counted on the data, so they are the same in every run).
            bases = [e["baselines"] for e in seeds]
            am = lambda k: sum(a[k] for a in acts) / 3
            bm = lambda b, k: sum(x[b]["action"][k] for x in bases) / 3
            best_acc = max(("majority_action", "last_action", "transition"), key=lambda b: bm(b, "accuracy"))
            auc = [a.get("purchase_auc") for a in acts]
            tauc = [x["transition"]["action"].get("purchase_auc") for x in bases]
            yes = lambda ok: "yes" if ok else "**no**"
            auc_cell = "—"
            if None not in auc and None not in tauc:
                ma, mt = sum(auc) / 3, sum(tauc) / 3
                auc_cell = f"{ma:.4f} vs {mt:.4f}: {yes(ma >= mt)}"
            action_floor_rows.append([
                LABEL.get(name, name),
                " / ".join(f"{a['log_loss']:.4f}" for a in acts),
                f"{am('accuracy'):.4f} vs {best_acc} {bm(best_acc, 'accuracy'):.4f}: {yes(am('accuracy') >= bm(best_acc, 'accuracy'))}",
                f"{am('log_loss'):.4f} vs {bm('transition', 'log_loss'):.4f} "
                f"({pct2(rel(am('log_loss'), bm('transition', 'log_loss')))}): {yes(am('log_loss') < bm('transition', 'log_loss'))}",
                f"{am('ece'):.4f} (transition {bm('transition', 'ece'):.4f}): {yes(am('ece') <= 0.02)}",
                auc_cell])

    ai, af = mi.get("action"), mf.get("action")
    if ai:
        trip = lambda a: (f"{f4(a.get('accuracy'))} / {f4(a.get('macro_f1'))} / {f4(a.get('log_loss'))} / "
                          f"{f4(a.get('ece'))} / {f4(a.get('purchase_auc'))}" if a else "—")
        action_rows.append([LABEL.get(name, name), trip(ai), trip(af)] +
                           [trip((base.get(b) or {}).get("action")) for b in ("majority_action", "last_action", "transition")])

    if name == "Beauty":
        cum, parts = 0.0, []
        reached = {}
        for e in epochs:
            cum += e["seconds"]
            for t, _ in BEAUTY_TARGETS:
                if t not in reached and e["valid_ndcg@10"] >= t:
                    reached[t] = (e["epoch"], cum)
        best_e = max(epochs, key=lambda e: e["valid_ndcg@10"]) if epochs else None
        for t, what in BEAUTY_TARGETS:
            if t in reached:
                parts.append(f"validation NDCG@10 ≥ {t} ({what}) first at epoch {reached[t][0]}, "
                             f"after {reached[t][1]:.0f} s of training (validation included)")
            else:
                parts.append(f"validation NDCG@10 ≥ {t} ({what}): not reached"
                             + (f" (best {best_e['valid_ndcg@10']:.4f} at epoch {best_e['epoch']} of {len(epochs)})"
                                if best_e else ""))
        beauty_line = parts

L = []
quick = env.get("ACC_QUICK") == "1"
L.append("# Accuracy on the public datasets" + (" (quick smoke run)" if quick else ""))
L.append("")
L.append(f"Generated by `{env['ACC_INVOCATION']}` on {env['ACC_DATE']}: commit `{env['ACC_COMMIT']}`, "
         f"binary `{env['ACC_CLI']}`, {env['ACC_CPU']} ({env['ACC_NPROC']} cores per `nproc`)."
         + (" (Rendered again from the raw outputs with `--render-only`.)" if env.get("ACC_RENDER_ONLY") == "1" else ""))
if env.get("FORECART_ACCURACY_NOTE"):
    L.append("")
    L.append(env["FORECART_ACCURACY_NOTE"])
ALL = ["Beauty", "Sports_and_Outdoors", "Toys_and_Games", "Video", "diginetica", "yoochoose", "taobao", "jd", "uci"]
left = [LABEL.get(n, n) for n in ALL if n not in names]
if left and not quick:
    L.append("")
    L.append("**Not in this run**: " + ", ".join(left) + ".")
L.append("")
if env.get("ACC_EPOCHS"):
    L.append(f"**Epochs capped at {env['ACC_EPOCHS']}** (`--epochs {env['ACC_EPOCHS']}`): a smoke test, the models "
             "are not converged and these figures say nothing about forecart's accuracy.")
    L.append("")
c = config or {}
cfg = (f"d {c.get('dim')}, {c.get('layers')} blocks, {c.get('heads')} heads, FFN {c.get('ffn_dim')}, "
       f"{c.get('activation')}, window {c.get('max_len')}, batch {c.get('batch')}, lr {c.get('lr', 0):g}, "
       f"dropout {c.get('dropout', 0):.2g}, "
       + ("full softmax" if not c.get("neg_samples") else f"{c.get('neg_samples')} sampled negatives")
       + f", up to {c.get('epochs')} epochs with early stopping on the validation criterion, NDCG@10 - 0.05 x "
       f"the next-action log-loss (NDCG@10 alone for one action type; patience {c.get('patience')}, "
       f"{c.get('val_users'):,} validation users)")
L.append("Each dataset: `forecart train` with the default flags (only the data-reading flags, plus `--threads 2 "
         f"--seed 1`; as logged: {cfg}) writes the int8 model and the fp32 model of the same trained weights; "
         "`forecart eval --json --split test` measures both. Leave-one-out: per user (or session) with at least 3 "
         "events the last one is the test target; full ranking over the whole catalogue, ranks pessimistic on ties. "
         "The baselines come from the int8 model's eval run. Raw outputs: `build/accuracy/` (not committed).")
L.append("")
L.append("## Results (test split)")
L.append("")
L.append("Cells are NDCG@10 / HR@10 (full ranking) unless named otherwise. *int8 vs fp32*: relative NDCG@10 "
         "difference. *margin*: the int8 model's relative difference to the best baseline of each metric. "
         "*sampled-100*: the target among 100 sampled items the user never interacted with (the SASRec paper's "
         "protocol), int8 (fp32). *training*: the training log's seconds (reading excluded, validation included) "
         "and the wall time of the train command.")
L.append("")
head = ["dataset", "events / users / items", "test users", "int8", "fp32", "int8 vs fp32", "popular",
        "cooccurrence", "recent", "best baseline", "margin NDCG / HR", "model_beats_baselines",
        "sampled-100 int8 (fp32)", "training", "size int8 / fp32"]
table(L, head, rows)
L.append("## Training")
L.append("")
L.append("From each int8 model's training log (`MODEL.train.json`): epochs run / best; the log's training seconds "
         "(validation included, reading excluded) and the train command's wall time; the median of the epochs' "
         "tokens/s (events trained on per second, padding not counted); training tokens per epoch; peak memory; "
         "validation NDCG@10 / HR@10 of the best epoch"
         + ("; *evidence*: the follow/repeat terms the trainer fits on the validation split after training, "
            "validation NDCG@10 and HR@10 of the model alone → with them, on the users the fit scored (the fit "
            "users, whose newest training event the weights did not train on; "
            "docs/TRAINING.md, Evidence)" if has_evidence else "")
         + "; how the fp32 model was made.")
L.append("")
th = ["dataset", "epochs / best", "training s", "wall s", "tokens/s", "tokens", "peak memory",
      "valid NDCG@10 / HR@10", "evidence NDCG / HR", "fp32 model"]
table(L, th, train_rows)
if seed_rows:
    L.append("## Small action-typed slices: three seeds")
    L.append("")
    L.append("Test NDCG@10 / HR@10 of the int8 model with `--seed 1` (the run above), 2 and 3, and their mean "
             "(the figure that counts for these slices); next action of the mean: accuracy / log-loss / ECE.")
    L.append("")
    table(L, ["dataset", "seed 1", "seed 2", "seed 3", "mean", "best baseline", "mean vs best", "above",
              "next action (mean)"], seed_rows)
if action_floor_rows:
    L.append("## Next action: the mean of three seeds")
    L.append("")
    L.append("The int8 models of `--seed 1`, 2 and 3, test split; each cell: the mean of the three against its "
             "floor: accuracy >= the best action baseline, log-loss below `transition` (the relative gap in "
             "brackets), ECE <= 0.02, purchase AUC >= `transition`.")
    L.append("")
    table(L, ["dataset", "log-loss, seeds 1 / 2 / 3", "accuracy", "log-loss", "ECE", "purchase AUC"],
          action_floor_rows)
if action_rows:
    L.append("## Next action (datasets with several action types)")
    L.append("")
    L.append("Accuracy / macro-F1 / log-loss / ECE (10 bins) / AUC of the purchase-like action (`purchase`, `buy`, "
             "`order`; — where none), test split, against the eval's action baselines: `majority_action` (the "
             "training action frequencies), `last_action` (repeat the last action), `transition` (P(next | last) "
             "counted on the training events, add-one smoothed).")
    L.append("")
    table(L, ["dataset", "int8", "fp32", "majority_action", "last_action", "transition"], action_rows)
if warnings:
    L.append("**Warnings**")
    L.append("")
    L.extend(f"- {w}" for w in warnings)
    L.append("")
L.append("## Anchors")
L.append("")
L.append("Reference figures to read the table against (`../shared/reference/README.md`, `../shared/data/*/README.md`):")
L.append("")
L.append("- PyTorch SASRec + full-softmax CE (`../shared/reference/sasrec_ref.py`, converged GPU runs; d 64, L 50, "
         "2 blocks, 1 head, FFN d, dropout 0.5, lr 2e-3, batch 256): **Beauty** test full NDCG@10 **0.0454**, "
         "HR@10 **0.0804** (validation 0.0546; best validation at epoch 320, still 0.030 on test at epoch 80); "
         "**Video** test sampled-100 NDCG@10 **0.5402**, HR@10 **0.7249** (full 0.0485 / 0.0998; 240 epochs).")
L.append("- ICLRec's README (S3-Rec Beauty, full ranking): ICLRec NDCG@10 0.0403, HR@10 0.0744.")
if beauty_line:
    L.append(f"- This run on Beauty (the per-epoch validation figures of `{work}/Beauty/int8.train.json`; "
             f"validation over at most {(config or {}).get('val_users', '?'):,} users, `--val-users`"
             + (", the model alone: the evidence terms are fitted after the last epoch" if has_evidence else "")
             + "): " + "; ".join(beauty_line) + ".")
L.append("")
L.append("## Data")
L.append("")
for name, prep, notes in data_notes:
    L.append(f"- **{LABEL.get(name, name)}**" + (f": prepared by `{prep}`" if prep else "") + "; read as: "
             + "; ".join(f"`{n}`" for n in notes))
L.append("")
L.append("## Commands")
L.append("")
L.append("```sh")
L.append(env["ACC_INVOCATION"])
L.append("```")
L.append("")
L.append("runs, per dataset:")
L.append("")
L.append("```sh")
for name, prep, train, evals in commands:
    L.append(f"# {name}")
    if prep:
        L.append(prep)
    L.extend(train.splitlines())
    L.extend(evals.splitlines())
L.append("```")
with open(out, "w") as f:
    f.write("\n".join(L) + "\n")
print(f"wrote {out}")
EOF
