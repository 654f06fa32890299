#!/bin/sh
# ollama-classifier in a real pipeline (careerops run, embedded broker):
#   mock-source (emails.jsonl) -> ollama-classifier -> mock-sink (events)
#   dlq_dead_letters -> mock-sink (dead letters with their error headers)
# against co-fake-server --service ollama. Checks: a valid answer becomes an
# event; a timeout and an invalid answer are retried 3 times, then
# dead-lettered with the reason; a 503 is retried and then succeeds; a
# missing model stops the pipeline with the `ollama pull` hint.
# Needs: CAREEROPS_BIN, CAREEROPS_PLUGIN_PATH, CAREEROPS_BUILD_ROOT (meson
# sets them), the mock plugins, jq.
set -eu

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

fake_bin=${CAREEROPS_BUILD_ROOT:?}/tests/fakes/co-fake-server
[ -x "$fake_bin" ] || fail "co-fake-server not built ($fake_bin)"
[ -x "${CAREEROPS_BIN:?}" ] || fail "careerops not built ($CAREEROPS_BIN)"
[ -f "${CAREEROPS_PLUGIN_PATH:?}/mock/mock-source.so" ] ||
    skip "mock plugins not built (-Dplugins=...,mock)"
command -v jq >/dev/null || skip "jq not installed"
export CAREEROPS_LOOPBACK_ONLY=1

dir=$(mktemp -d)
fake_pid=
cleanup() {
    if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"

# start_fake ARGS...: starts co-fake-server, sets $port.
start_fake() {
    rm -f port
    "$fake_bin" --service ollama --port-file port --log requests.jsonl \
        --model llama3.2:3b "$@" 2>>fake.err &
    fake_pid=$!
    i=0
    while [ ! -s port ]; do
        i=$((i + 1))
        [ "$i" -lt 200 ] || fail "co-fake-server did not start"
        sleep 0.05
    done
    port=$(cat port)
}

stop_fake() {
    kill "$fake_pid"
    wait "$fake_pid" || true
    fake_pid=
}

# email KEY SUBJECT TEXT: one mock-source line.
email() {
    jq -cn --arg k "$1" --arg s "$2" --arg t "$3" '{key: $k, value: {
        schema: "careerops.email.v1", key: $k, message_id: "<\($k)@mail.example>",
        from: {name: "Mara Lind", address: "mara@lindqvist-robotics.example"},
        subject: $s, date: "2025-02-20T09:00:00Z", text: $t,
        calendar: [], attachments: [], headers: {}}}'
}

# manifest MODEL: the pipeline against the fake on $port.
manifest() {
    cat > m.json <<EOF
{"pipeline": "ollama-it", "kafka": {"bootstrap.servers": "embedded"},
 "state": "memory:", "defaults": {"partitions": 1},
 "stages": [
  {"name": "ingest", "plugin": "mock-source", "output": "raw_inbox_stream",
   "config": {"file": "emails.jsonl"}},
  {"name": "classify", "plugin": "ollama-classifier",
   "input": "raw_inbox_stream", "output": "classified_events",
   "errors": {"retries": 3, "backoff_ms": 20, "backoff_max_ms": 100},
   "config": {"base_url": "http://127.0.0.1:$port", "model": "$1",
              "rate_per_minute": 0, "timeout_ms": 300}},
  {"name": "store", "plugin": "mock-sink", "input": "classified_events",
   "config": {"path": "events.jsonl"}},
  {"name": "dead", "plugin": "mock-sink", "input": "dlq_dead_letters", "errors": {"tolerance": "none"},
   "config": {"path": "dead.jsonl", "headers": true}}]}
EOF
}

{
    email t1 "Hello" "Checking in about next week."
    email v1 "Interview invitation" "We would like to invite you to an interview."
    email x1 "Quick question" "Do you have a minute?"
    email r1 "Your application" "Unfortunately we will not move forward."
} > emails.jsonl

interview='{"event_type":"INTERVIEW","company":"Lindqvist Robotics","role":null,"scheduled_date":"2025-03-04T15:00:00Z","confidence":0.9,"evidence":["invite you to an interview"]}'
rejection='{"event_type":"REJECTION","company":"Lindqvist Robotics","role":null,"scheduled_date":null,"confidence":0.8,"evidence":["Unfortunately"]}'
# Raw scripts answer first: t1's 4 attempts get a reply slower than
# timeout_ms. Then the Ollama queue: v1 valid; x1 4 invalid answers; r1 a
# 503, then valid.
jq -n '[range(4) | {path: "/api/chat", status: 200, body: "{}", delay_ms: 1500}]' > slow.json
start_fake --script slow.json --content "$interview" \
    --content 'not json' --content 'not json' --content 'not json' \
    --content '{"event_type":"SALARY"}' --error 503 --content "$rejection"
manifest llama3.2:3b
"$CAREEROPS_BIN" run m.json --until-idle >run.out 2>run.err ||
    { cat run.err >&2; fail "careerops run exited $?"; }
stop_fake

[ "$(wc -l <events.jsonl)" -eq 2 ] || fail "want 2 events, got $(wc -l <events.jsonl)"
ev() { jq -r "select(.key == \"$1\") | .value | fromjson | $2" events.jsonl; }
[ "$(ev v1 .event_type)" = INTERVIEW ] || fail "v1 event_type"
[ "$(ev v1 .scheduled_date)" = 2025-03-04T15:00:00Z ] || fail "v1 date"
[ "$(ev v1 .classifier.name)" = ollama-classifier ] || fail "v1 classifier"
[ "$(ev r1 .event_type)" = REJECTION ] || fail "r1 after a 503"

[ "$(wc -l <dead.jsonl)" -eq 2 ] || fail "want 2 dead letters, got $(wc -l <dead.jsonl)"
hdr() { jq -r "select(.key == \"$1\") | .headers[\"careerops.error.$2\"]" dead.jsonl; }
[ "$(hdr t1 class)" = timeout ] || fail "t1 class: $(hdr t1 class)"
[ "$(hdr t1 attempts)" = 4 ] || fail "t1 attempts: $(hdr t1 attempts)"
[ "$(hdr x1 class)" = schema ] || fail "x1 class: $(hdr x1 class)"
[ "$(hdr x1 attempts)" = 4 ] || fail "x1 attempts"
hdr x1 message | grep -q "unknown event_type 'SALARY'" || fail "x1 reason: $(hdr x1 message)"
[ "$(jq -r 'select(.key == "x1") | .value | fromjson | .schema' dead.jsonl)" = careerops.email.v1 ] ||
    fail "the dead letter is not the original email"
# 4 + 1 + 4 + 2 model requests.
[ "$(wc -l <requests.jsonl)" -eq 11 ] || fail "want 11 requests, got $(wc -l <requests.jsonl)"

# A model that is not pulled stops the pipeline with the hint.
rm -f events.jsonl dead.jsonl requests.jsonl
start_fake
manifest qwen3:8b
# (the failed classify stage never drains; do not wait 30 s for it)
if "$CAREEROPS_BIN" run m.json --until-idle --drain-timeout-ms 500 \
    >run.out 2>run.err; then
    fail "run with a missing model exited 0"
fi
stop_fake
# shellcheck disable=SC2016 # literal backquotes in the message
grep -q 'run `ollama pull qwen3:8b`' run.err || { cat run.err >&2; fail "no pull hint"; }
[ ! -s events.jsonl ] || fail "events written with a missing model"
echo "ok: 2 events, 2 dead letters (timeout, schema) after 4 attempts, 404 stops with the pull hint"
