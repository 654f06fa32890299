#!/usr/bin/env bash
# The shipped manifests validate: pipelines/careerops.json (production:
# Gmail, Ollama, Tavily, Chroma, Slack, PostgreSQL, notifier on a SASL_SSL
# Kafka cluster) with placeholder secret files, and `careerops graph`
# renders it (dot and Mermaid) with every stage and topic; without its
# secrets it fails naming the missing files; pipelines/demo.json validates
# as shipped and with slack-sink swapped in for the console.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
B=$CAREEROPS_BIN
P=$CAREEROPS_SOURCE_ROOT/pipelines
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-validate.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for s in kafka_password tavily_api_key gmail_client_id gmail_client_secret gmail_token_key; do
    echo "placeholder-$s" >"$T/$s"
done
echo "postgresql://careerops@db.internal.example:5432/careerops" >"$T/postgres_url"
echo "https://hooks.slack.com/services/T000/B000/XXXX" >"$T/slack_webhook"
# the sealed refresh token `careerops auth gmail --token-out` writes: validate
# checks that it is a regular file (trial 56: a missing one passed)
echo "placeholder-token" >"$T/gmail_token.enc"
if CAREEROPS_GMAIL_TOKEN_FILE=$T/no-token.enc "$B" validate "$P/careerops.json" --set "secrets_dir=$T" >"$T/nt.out" 2>&1; then
    fail "validate passed without the Gmail refresh token file"
fi
grep -q "refresh_token_file: '$T/no-token.enc' is missing (no such file): create it with \`careerops auth gmail --token-out FILE\`" "$T/nt.out" ||
    fail "missing token file not named: $(cat "$T/nt.out")"
export CAREEROPS_GMAIL_TOKEN_FILE=$T/gmail_token.enc

"$B" validate "$P/careerops.json" --set "secrets_dir=$T" >"$T/v.out" 2>&1 || fail "validate: $(cat "$T/v.out")"
grep -q 'pipeline careerops, 7 stages' "$T/v.out" || fail "unexpected validate output: $(cat "$T/v.out")"
mkdir "$T/empty"
if "$B" validate "$P/careerops.json" --set "secrets_dir=$T/empty" >"$T/bad.out" 2>&1; then
    fail "validate passed without secret files"
fi
for s in kafka_password postgres_url tavily_api_key slack_webhook; do
    grep -q "secret '$s' not readable" "$T/bad.out" || fail "missing secret $s not named: $(cat "$T/bad.out")"
done
"$B" graph "$P/careerops.json" --format mermaid --set "secrets_dir=$T" >"$T/g.mmd" 2>"$T/g.err" || fail "graph: $(cat "$T/g.err")"
"$B" graph "$P/careerops.json" --format dot --set "secrets_dir=$T" >"$T/g.dot" 2>"$T/g.err" || fail "graph dot: $(cat "$T/g.err")"
for x in gmail-source ollama-classifier tavily-researcher postgres-sink chroma-sink notifier slack-sink \
         raw_inbox_stream classified_events research_tasks notifications dlq_dead_letters; do
    grep -q "$x" "$T/g.mmd" || fail "mermaid graph lacks $x"
    grep -q "$x" "$T/g.dot" || fail "dot graph lacks $x"
done
head -1 "$T/g.mmd" | grep -q '^flowchart' || fail "not a Mermaid flowchart"
grep -q '^digraph' "$T/g.dot" || fail "not a dot digraph: $(head -2 "$T/g.dot")"

# the dead letters' file is written in a folder that exists (scripts/demo.sh
# makes .run/demo); a folder that does not is an error naming the option
CAREEROPS_DEMO_DLQ=$T/nofolder/dl.jsonl "$B" validate "$P/demo.json" >"$T/d.out" 2>&1 &&
    fail "demo.json with its dead letters in a missing folder validates"
grep -q 'stages\[5\] (dead-letters).config.path: cannot write .*/nofolder/dl.jsonl: its folder .*/nofolder does not exist: create the folder' "$T/d.out" ||
    fail "the missing folder is not named: $(cat "$T/d.out")"
export CAREEROPS_DEMO_DLQ=$T/dl.jsonl
"$B" validate "$P/demo.json" >"$T/d.out" 2>&1 || fail "demo.json: $(cat "$T/d.out")"
"$B" validate "$P/demo.json" --set "secrets_dir=$T" --set stages.show.plugin=slack-sink \
    --set 'stages.show.config={"webhook_url":"${secret:slack_webhook}"}' >"$T/d2.out" 2>&1 ||
    fail "demo.json with slack-sink: $(cat "$T/d2.out")"
echo "ok: careerops.json validates with placeholder secrets, names missing ones, renders as dot and Mermaid; demo.json validates (console and slack)"
