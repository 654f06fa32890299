#!/usr/bin/env bash
# Leave-one-writer-out cross-validation of the learned classifier.
#   bash scripts/cv.sh [TRAIN_ROOT] [OUT.tsv]
# TRAIN_ROOT holds one folder per writer (W/labels.csv, W/emails/); default
# datasets/train. For each writer, a model is trained on the other writers
# (careerops train, seed 1) and the writer's messages are classified by the
# rules, the model and both combined (build/tests/classify/clf-trace). The
# per-message trace goes to OUT.tsv (default build/cv-trace.tsv) and the
# figures (scripts/clf_report.py) to stdout. Needs a build (ninja -C build).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-$here/datasets/train}
out=${2:-$here/build/cv-trace.tsv}
build=${CAREEROPS_BUILD:-$here/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
writers=()
for d in "$root"/*/; do
    [ -f "$d/labels.csv" ] && writers+=("${d%/}")
done
if [ ${#writers[@]} -lt 2 ]; then
    echo "cv.sh: need at least two writer folders with labels.csv in $root" >&2
    exit 2
fi
: > "$out"
for w in "${writers[@]}"; do
    args=()
    for o in "${writers[@]}"; do
        [ "$o" = "$w" ] || args+=(--labels "$o/labels.csv" --emails "$o/emails")
    done
    "$build/core/careerops" train "${args[@]}" --seed 1 --out "$tmp/model" 2>"$tmp/train.log" ||
        { cat "$tmp/train.log" >&2; exit 1; }
    "$build/tests/classify/clf-trace" --model "$tmp/model" \
        --labels "$w/labels.csv" --emails "$w/emails" > "$tmp/trace.tsv"
    if [ -s "$out" ]; then tail -n +2 "$tmp/trace.tsv" >> "$out"; else cat "$tmp/trace.tsv" > "$out"; fi
    echo "cv.sh: $(basename "$w"): $(($(wc -l < "$tmp/trace.tsv") - 1)) messages" >&2
done
python3 "$here/scripts/clf_report.py" "$out"
