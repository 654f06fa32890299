#!/usr/bin/env bash
# Messages a new user met, each naming the input and the fix:
# - an empty mailbox (empty mbox file, empty Maildir, empty folder) is read
#   with exit 0 and the warning "0 messages found in PATH";
# - `validate DIR` (a folder, not a manifest) says it is a directory and
#   which manifests are in it, instead of "Input/output error";
# - a --set value out of range says "stages[N] (NAME).PATH: must be
#   between A and B (got C)", for plugin options and stage settings, and a
#   name too long gives its length and the limit.
. "$(dirname "$0")/../common/cli.sh"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
SRC=$CAREEROPS_SOURCE_ROOT

# ---- empty mailboxes
cat >empty.json <<'J'
{"pipeline":"empty","state":"memory:","stages":[
 {"name":"ingest","plugin":"mailbox-source","output":"raw",
  "config":{"path":"${env:CO_TEST_MAILBOX}"}},
 {"name":"sink","plugin":"mock-sink","input":"raw","config":{"path":"out.jsonl"}}]}
J
: >empty.mbox
mkdir -p Maildir/cur Maildir/new Maildir/tmp folder
for mb in empty.mbox Maildir folder; do
    CO_TEST_MAILBOX=$t/$mb expect 0 "\"level\":\"warn\".*\"0 messages found in $t/$mb " \
        "run on an empty $mb" "$B" run empty.json --until-idle
    [ ! -s out.jsonl ] || fail "records from an empty $mb"
done
echo "ok: empty mbox, Maildir and folder: exit 0, warning '0 messages found in PATH'"

# ---- validate DIR
mkdir manifests
cp "$SRC/pipelines/demo.json" manifests/
expect 2 "manifests is a directory, not a manifest: pass the manifest's JSON file \(here: demo.json\)" \
    "validate DIR" "$B" validate manifests
grep -q 'Input/output error' err.txt && fail "validate DIR: $(cat err.txt)"
expect 2 "folder is a directory, not a manifest: pass the manifest's JSON file, e\.g\. pipelines/demo.json" \
    "validate DIR without manifests" "$B" validate folder
expect 2 "is a directory" "run DIR" "$B" run manifests
echo "ok: validate/run DIR says it is a directory and what to pass"

# ---- out-of-range --set values name the stage and the limits
D=$SRC/pipelines/demo.json
expect 2 "stages\[0\] \(ingest\)\.config\.batch: must be between 1 and [0-9]+ \(got 0\)" \
    "--set a plugin option out of range" "$B" validate "$D" --set stages.ingest.config.batch=0
expect 2 "stages\[1\] \(classify\)\.concurrency: must be between 1 and 64 \(got 100\)" \
    "--set a stage setting out of range" "$B" validate "$D" --set stages.classify.concurrency=100
expect 2 "stages\[1\] \(classify\)\.rate_limit\.per_second: must be between 0 and [0-9e+.]+ \(got -1\)" \
    "--set a rate limit out of range" "$B" validate "$D" --set stages.classify.rate_limit.per_second=-1
long=$(printf 'x%.0s' $(seq 300))
expect 2 "stages\[1\]\.name: the stage name must be between 1 and 200 characters long \(got 300: \"x{40}\.\.\.\"\)" \
    "--set a stage name too long" "$B" validate "$D" --set "stages.classify.name=$long"
expect 2 "stages\[1\] \(classify\)\.output: the topic name must be between 1 and 200 characters long \(got 300" \
    "--set a topic name too long" "$B" validate "$D" --set "stages.classify.output=$long"
echo "ok: out-of-range values say 'stages[N] (NAME).PATH: must be between A and B (got C)'"
