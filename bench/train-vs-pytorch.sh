#!/usr/bin/env bash
# Training speed, forecart vs PyTorch on the CPU: the same SASRec model and config (d 64, 2 blocks, 2 heads,
# window 50, batch 128, full softmax, dropout 0.5 (the default), ReLU) on the same data (Beauty by default), 2 threads, one
# run each, back to back: events/s of both (real events trained on per second, padding not counted) and the
# ratio forecart / PyTorch. By hand, not in CI (about a minute on 2 cores); run it on an otherwise idle
# machine: the figures are only as good as the CPU is free (the load average is printed).
#   PyTorch: ../shared/reference/sasrec_ref.py --bench-cpu (20 timed training steps after 2 warm-up steps;
#            its events = target positions y > 0), Debian python3-torch + libopenblas0-pthread, run with
#            OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.
#   forecart: `forecart train --epochs EPOCHS` (default 2), the training log's tokens_per_s of the last
#            epoch (training steps only: validation and reading excluded).
# The FFN width of sasrec_ref.py is fixed at d; forecart gets --ffn-dim d where the binary has it (else it
# trains its default 4d and the output says so).
# Usage: [FORECART_CLI=...] [FORECART_DATA_DIR=...] [SASREC_REF=...] bench/train-vs-pytorch.sh [--install]
#            [--epochs N] [DATA]   (DATA: a SASRec text file, "user item ..." per line, plain or .gz)
#   --install   apt-get install the missing Debian packages (python3-torch libopenblas0-pthread) first
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "train-vs-pytorch: $*" >&2; exit 1; }

install=0 epochs=2 data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --install) install=1 ;;
    --epochs) [ $# -ge 2 ] || die "--epochs needs a number"; epochs=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$data" ] || die "one DATA file only"; data=$1 ;;
  esac
  shift
done
[[ "$epochs" =~ ^[1-9][0-9]*$ ]] || die "--epochs: '$epochs' is not a positive number"
data=${data:-${FORECART_DATA_DIR:-../shared/data}/amazon_s3rec/Beauty.txt.gz}
[ -f "$data" ] || die "$data not found"
ref=${SASREC_REF:-../shared/reference/sasrec_ref.py}
[ -f "$ref" ] || die "$ref not found (set SASREC_REF)"
cli=${FORECART_CLI:-build/native/forecart}
[ -x "$cli" ] || die "$cli not found: build it (cmake --preset native && cmake --build --preset native --target forecart) or set FORECART_CLI"
PY=/usr/bin/python3  # Debian's, with python3-torch (another python3 may come first on PATH)
WORK=${BENCH_DIR:-build/bench-train}
mkdir -p "$WORK"

# The Debian packages the PyTorch side needs.
pkgs=(python3-torch libopenblas0-pthread)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && [ "$install" = 1 ]; then
  echo "train-vs-pytorch: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y "${missing[@]}"
  missing=()
fi
if ! env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" -c 'import torch' 2>/dev/null; then
  die "$PY cannot import torch: install the Debian packages (apt-get install -y ${pkgs[*]}) or rerun with --install"
fi
[ ${#missing[@]} -eq 0 ] || echo "train-vs-pytorch: warning: ${missing[*]} not installed (PyTorch may run on a slower BLAS);" \
  "apt-get install -y ${missing[*]} or rerun with --install" >&2

D=64 BLOCKS=2 HEADS=2 L=50 BATCH=128 DROP=0.5 THREADS=2
REF_FFN=$D  # sasrec_ref.py: nn.TransformerEncoderLayer(d, heads, dim_feedforward=d, ..., activation="relu")
help=$("$cli" train --help 2>&1)  # (no `| grep -q`: with pipefail its early exit reads as a failure)
ffn_args=() ffn_note=""
if [[ "$help" == *--ffn-dim* ]]; then
  ffn_args=(--ffn-dim "$REF_FFN")
  ffn=$REF_FFN
else
  ffn=$((4 * D))
  ffn_note="  NOTE: FFN width differs: forecart $ffn (4d; this binary has no --ffn-dim), PyTorch $REF_FFN (d):"
  ffn_note+=" forecart does more work per event"
fi
extra=()
[[ "$help" != *--no-evidence* ]] || extra=(--no-evidence)  # the post-training fit: no part of the speed

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "data: $data; $THREADS threads; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
  "load average before: $load"
echo "config (both): d $D, $BLOCKS blocks, $HEADS heads, FFN $REF_FFN$([ -z "$ffn_note" ] || echo " (PyTorch) / $ffn (forecart)"), ReLU," \
  "window $L, batch $BATCH, full softmax, dropout $DROP"
[ -z "$ffn_note" ] || echo "$ffn_note"
echo "  other (small) differences: forecart adds an output item bias, action and time-gap embeddings and clips the" \
  "gradient norm at 1.0; sasrec_ref.py uses Adam betas 0.9/0.98, no clipping"

# PyTorch: one --bench-cpu run (a JSON line with tokens_per_s).
pt_cmd=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "OMP_NUM_THREADS=$THREADS" "OPENBLAS_NUM_THREADS=$THREADS"
  "$PY" "$ref" --data "$data" --bench-cpu --loss ce --d "$D" --blocks "$BLOCKS" --heads "$HEADS" --L "$L" --bs "$BATCH"
  --drop "$DROP" --threads "$THREADS")
t0=$(date +%s.%N)
"${pt_cmd[@]}" > "$WORK/pytorch.json" 2> "$WORK/pytorch.log" || { cat "$WORK/pytorch.log" >&2; die "the PyTorch run failed"; }
t1=$(date +%s.%N)
# forecart: EPOCHS epochs (no early stop matters: the speed of each epoch is logged).
fc_cmd=("$cli" train --data "$data" --epochs "$epochs" --threads "$THREADS" --seed 1 --dim "$D" --layers "$BLOCKS"
  --heads "$HEADS" "${ffn_args[@]}" --max-len "$L" --batch "$BATCH" --neg-samples 0 --dropout "$DROP" --activation relu
  "${extra[@]}" --out "$WORK/forecart.fcm")
"${fc_cmd[@]}" > "$WORK/forecart.log" 2>&1 || { tail -n 5 "$WORK/forecart.log" >&2; die "the forecart run failed"; }
t2=$(date +%s.%N)

"$PY" - "$WORK/pytorch.json" "$WORK/forecart.train.json" "$t0" "$t1" "$t2" <<'EOF'
import json, sys
pt = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
fc = json.load(open(sys.argv[2]))
t0, t1, t2 = (float(x) for x in sys.argv[3:6])
eps = [e["tokens_per_s"] for e in fc["epochs"]]
last = eps[-1]
print(f"PyTorch {pt['torch']} (sasrec_ref.py --bench-cpu, {pt['steps']} steps of {pt['bs']} after 2 warm-up; "
      f"run {t1 - t0:.0f} s): {pt['tokens_per_s']:,.0f} events/s")
print(f"forecart {fc.get('forecart', '')} (train, {len(eps)} epoch(s) of {fc.get('train_tokens', 0):,} events; "
      f"run {t2 - t1:.0f} s): {last:,.0f} events/s (last epoch; per epoch: "
      + ", ".join(f"{x:,.0f}" for x in eps) + ")")
print(f"ratio forecart / PyTorch: {last / pt['tokens_per_s']:.2f}")
EOF
echo "commands: $(printf '%q ' "${pt_cmd[@]}")"
echo "          $(printf '%q ' "${fc_cmd[@]}")"
