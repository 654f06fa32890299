#!/bin/sh
# co-fake-server as shell tests use it: start, read the port file, talk to
# it with curl, check the request log, stop with SIGTERM.
set -eu
exe=$1
dir=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$exe" --service ollama --port-file "$dir/port" --log "$dir/log.jsonl" \
    --model llama3.2:3b --error 503 \
    --content '{"event_type":"OTHER","company":null,"role":null,"scheduled_date":null,"confidence":0.5,"evidence":[]}' &
pid=$!
i=0
while [ ! -s "$dir/port" ]; do
    i=$((i + 1))
    [ "$i" -lt 200 ] || fail "no port file after 10 s"
    kill -0 "$pid" 2>/dev/null || fail "server exited"
    sleep 0.05
done
base="http://127.0.0.1:$(cat "$dir/port")"

[ "$(curl -sS "$base/")" = "Ollama is running" ] || fail "GET /"
req='{"model":"llama3.2:3b","stream":false,"messages":[{"role":"user","content":"hi"}]}'
code=$(curl -sS -o "$dir/r1" -w '%{http_code}' -d "$req" "$base/api/chat")
[ "$code" = 503 ] || fail "first chat: want 503, got $code"
grep -q 'try again.  maximum' "$dir/r1" || fail "503 message"
code=$(curl -sS -o "$dir/r2" -w '%{http_code}' -d "$req" "$base/api/chat")
[ "$code" = 200 ] || fail "second chat: want 200, got $code"
[ "$(jq -r '.message.content | fromjson | .event_type' "$dir/r2")" = OTHER ] ||
    fail "scripted content"
code=$(curl -sS -o /dev/null -w '%{http_code}' -d '{"model":"x","stream":false}' "$base/api/chat")
[ "$code" = 404 ] || fail "unknown model: want 404, got $code"

kill "$pid"
wait "$pid" || fail "server exit status $?"
pid=
[ "$(wc -l < "$dir/log.jsonl")" -eq 4 ] || fail "log lines: $(wc -l < "$dir/log.jsonl")"
[ "$(sed -n 2p "$dir/log.jsonl" | jq -r .body)" = "$req" ] || fail "logged body"

# The OpenAI-compatible dialect: bearer key, length cut, then a full answer.
rm -f "$dir/port"
"$exe" --service ollama --port-file "$dir/port" --model m --api-key sk-1 \
    --length-cut 1 &
pid=$!
i=0
while [ ! -s "$dir/port" ]; do
    i=$((i + 1))
    [ "$i" -lt 200 ] || fail "no port file after 10 s (second server)"
    sleep 0.05
done
base="http://127.0.0.1:$(cat "$dir/port")"
oreq='{"model":"m","messages":[{"role":"user","content":"an interview"}]}'
code=$(curl -sS -o "$dir/o0" -w '%{http_code}' -d "$oreq" "$base/v1/chat/completions")
[ "$code" = 401 ] || fail "no key: want 401, got $code"
[ "$(jq -r .error.type "$dir/o0")" = invalid_request_error ] || fail "OpenAI error shape"
auth="Authorization: Bearer sk-1"
curl -sS -o "$dir/o1" -H "$auth" -d "$oreq" "$base/v1/chat/completions"
[ "$(jq -r '.choices[0].finish_reason' "$dir/o1")" = length ] || fail "length cut"
curl -sS -o "$dir/o2" -H "$auth" -d "$oreq" "$base/v1/chat/completions"
[ "$(jq -r '.choices[0].finish_reason' "$dir/o2")" = stop ] || fail "second answer"
[ "$(jq -r '.choices[0].message.content | fromjson | .event_type' "$dir/o2")" = INTERVIEW ] ||
    fail "heuristic content: $(cat "$dir/o2")"
kill "$pid"
wait "$pid" || fail "second server exit status $?"
pid=
echo "ok"
