#!/usr/bin/env bash
# Leave-one-writer-out cross-validation of the learned classifier.
#   bash scripts/cv.sh [TRAIN_ROOT] [OUT.tsv] [--variants]
# TRAIN_ROOT holds one folder per writer (W/labels.csv, W/emails/); default
# datasets/train. For each writer, a model is trained on the other writers
# (careerops train, seed 1) and the writer's messages are classified by the
# rules, the model and both combined (build/tests/classify/clf-trace). The
# per-message trace (with a `writer` column) goes to OUT.tsv (default
# build/cv-trace.tsv) and the figures (scripts/clf_report.py: overall, then
# per held-out writer and their macro average) to stdout. With --variants,
# each held-out writer's mail is also classified with every sender made
# neutral and cut to subject + first paragraph (scripts/make-variants.py),
# traced to OUT-neutral-sender.tsv and OUT-first-paragraph.tsv, and the
# report adds each variant's change in accuracy per writer.
# Needs a build (ninja -C build).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
variants=0
pos=()
for a in "$@"; do
    if [ "$a" = --variants ]; then variants=1; else pos+=("$a"); fi
done
root=${pos[0]:-$here/datasets/train}
out=${pos[1]:-$here/build/cv-trace.tsv}
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
kinds=("")
[ $variants = 1 ] && kinds+=(neutral-sender first-paragraph)
for k in "${kinds[@]}"; do : > "${out%.tsv}${k:+-$k}.tsv"; done
# trace LABELS EMAILS WRITER DEST: append the writer's trace to DEST
trace() {
    "$build/tests/classify/clf-trace" --model "$tmp/model" \
        --labels "$1" --emails "$2" > "$tmp/trace.tsv"
    awk -v w="$3" 'BEGIN { FS = OFS = "\t" }
        NR == 1 { print "writer", $0; next } { print w, $0 }' \
        "$tmp/trace.tsv" > "$tmp/trace-w.tsv"
    if [ -s "$4" ]; then tail -n +2 "$tmp/trace-w.tsv" >> "$4"; else cat "$tmp/trace-w.tsv" > "$4"; fi
}
for w in "${writers[@]}"; do
    args=()
    for o in "${writers[@]}"; do
        [ "$o" = "$w" ] || args+=(--labels "$o/labels.csv" --emails "$o/emails")
    done
    "$build/core/careerops" train "${args[@]}" --seed 1 --out "$tmp/model" 2>"$tmp/train.log" ||
        { cat "$tmp/train.log" >&2; exit 1; }
    name=$(basename "$w")
    trace "$w/labels.csv" "$w/emails" "$name" "$out"
    if [ $variants = 1 ]; then
        rm -rf "$tmp/var"
        python3 "$here/scripts/make-variants.py" "$w/labels.csv" "$w/emails" "$tmp/var" >/dev/null
        for k in neutral-sender first-paragraph; do
            trace "$tmp/var/$k/labels.csv" "$tmp/var/$k/emails" "$name" "${out%.tsv}-$k.tsv"
        done
    fi
    echo "cv.sh: $name: $(($(wc -l < "$tmp/trace.tsv") - 1)) messages" >&2
done
rep=("$out")
[ $variants = 1 ] && rep+=(--variant "neutral sender=${out%.tsv}-neutral-sender.tsv"
                         --variant "subject + 1st paragraph=${out%.tsv}-first-paragraph.tsv")
python3 "$here/scripts/clf_report.py" "${rep[@]}"
