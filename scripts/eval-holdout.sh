#!/usr/bin/env bash
# Figures of the classifier on a labeled set, for docs/classification.md.
#   bash scripts/eval-holdout.sh LABELS.csv EMAILS_DIR [NAME]
# Runs `careerops eval` (tests/classify/rules-eval.json) with decision
# combined, rules and model; the calibration of the combined confidence
# (build/tests/classify/clf-trace); and the robustness variants of
# scripts/make-variants.py (neutral sender, subject + first paragraph),
# each evaluated with decision combined; and decision combined with the
# company memory on (company_memory: 2048). Prints Markdown to stdout; the raw
# JSON and traces stay in build/eval-NAME/. Needs a build (ninja -C build).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 2 ]; then
    echo "usage: eval-holdout.sh LABELS.csv EMAILS_DIR [NAME]" >&2
    exit 2
fi
labels=$1
emails=$2
name=${3:-$(basename "$(dirname "$labels")")}
build=${CAREEROPS_BUILD:-$here/build}
out=$build/eval-$name
rm -rf "$out"
mkdir -p "$out"
export CAREEROPS_PLUGIN_PATH=$build/plugins
ev() { # LABELS EMAILS DECISION OUT.json [--set ...]
    "$build/core/careerops" eval --manifest "$here/tests/classify/rules-eval.json" \
        --stage classify --labels "$1" --emails "$2" \
        --set "stages.classify.config.decision=$3" "${@:5}" --json > "$4" 2> "$4.log" ||
        { cat "$4.log" >&2; exit 1; }
}
for d in combined rules model; do
    ev "$labels" "$emails" "$d" "$out/$d.json"
done
# the stage's company memory on (off by default)
ev "$labels" "$emails" combined "$out/combined-memory.json" \
    --set stages.classify.config.company_memory=2048
"$build/tests/classify/clf-trace" --model "$build/plugins/rules-classifier/classifier.model" \
    --labels "$labels" --emails "$emails" > "$out/trace.tsv"
python3 "$here/scripts/make-variants.py" "$labels" "$emails" "$out/variants"
for v in neutral-sender first-paragraph; do
    ev "$out/variants/$v/labels.csv" "$out/variants/$v/emails" combined "$out/$v.json"
done
python3 "$here/scripts/eval_summary.py" "$out" "$name"
