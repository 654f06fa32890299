#!/usr/bin/env bash
# The control API of a running pipeline: beyond loopback without
# http.token_file, validate and run refuse to start, naming the setting; with
# it the address actually bound is logged (0.0.0.0 stays 0.0.0.0) with the
# token's file; an unauthenticated POST is refused (401) and logged, a
# foreign Host refused (403), the token accepted (200) and the POST logged;
# the operator's token file stays at stop. (The per-start token of loopback:
# tests/core/test_control.c, token_made_per_start.)
. "$(dirname "$0")/../integration/lib.sh"
export XDG_RUNTIME_DIR="$T/xdg"
mkdir -m 700 "$XDG_RUNTIME_DIR"
cat > bare.json <<'J'
{"pipeline":"ctlbare","kafka":{"bootstrap.servers":"embedded"},
 "http":{"listen":"0.0.0.0:0"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":10}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"bare.jsonl"}}]}
J
for cmd in validate run; do
    rc=0; "$B" $cmd bare.json > bare.out 2> bare.log || rc=$?
    [ "$rc" = 2 ] || fail "$cmd on 0.0.0.0 without http.token_file: exit $rc, want 2: $(cat bare.log)"
    grep -q 'http.listen.*beyond loopback.*set http.token_file' bare.log ||
        fail "$cmd: the error does not name http.token_file: $(cat bare.log)"
done
[ ! -e bare.jsonl ] || fail "run started stages before refusing the listen address"
head -c 32 /dev/urandom | base64 > token
chmod 600 token
cat > m.json <<'J'
{"pipeline":"ctlrun","kafka":{"bootstrap.servers":"embedded"},
 "http":{"listen":"0.0.0.0:0","token_file":"token"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":100000,"rate":50}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"out.jsonl"}}]}
J
"$B" run m.json 2> run.log &
RP=$!; PIDS+=($RP)
line=""
for _ in $(seq 100); do
    line=$(grep -m1 -o 'http endpoint on [^"]*' run.log || true)
    [ -n "$line" ] && break; sleep 0.1
done
[ -n "$line" ] || fail "no http endpoint in the log: $(tail -3 run.log)"
echo "$line"
port=$(echo "$line" | sed -n 's/^http endpoint on 0\.0\.0\.0:\([0-9]*\) .*/\1/p')
[ -n "$port" ] || fail "the log does not give the real address 0.0.0.0:PORT: $line"
grep -q 'not loopback-only' run.log || fail "no warning about listening on all interfaces"
tf=$(echo "$line" | sed -n 's/.*needs the token in \(.*\)$/\1/p')
[ "$tf" -ef token ] || fail "the log names token file '$tf', not the configured ./token"
token=$(cat "$tf")
url="http://127.0.0.1:$port/api/stages/sink/pause"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code -X POST "$url")" = 401 ] || fail "POST without a token was not refused with 401"
[ "$(code -X POST -H "Authorization: Bearer $token" -H 'Host: rebind.example' "$url")" = 403 ] ||
    fail "POST with a foreign Host was not refused with 403"
[ "$(code -H 'Host: rebind.example' "http://127.0.0.1:$port/api/stages")" = 403 ] ||
    fail "GET with a foreign Host was not refused with 403"
[ "$(code -X POST -H "Authorization: Bearer $token" "$url")" = 200 ] ||
    fail "POST with the token was not accepted"
sleep 0.5
auth=(-H "Authorization: Bearer $token")
# counts are integers (trial 80: "records_in":1.0)
curl -s "${auth[@]}" "http://127.0.0.1:$port/api/stages" |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["stages"]; assert all(type(x[k]) is int for x in s for k in ("records_in","records_out","dead_lettered")), s' ||
    fail "/api/stages counts are not integers: $(curl -s "${auth[@]}" "http://127.0.0.1:$port/api/stages")"
curl -s "${auth[@]}" "http://127.0.0.1:$port/api/stages" | grep -q '"PAUSED"' ||
    fail "the sink is not PAUSED: $(curl -s "${auth[@]}" "http://127.0.0.1:$port/api/stages")"
# beyond loopback every /api/ read needs the token as well (issue 16)
for p in /api/stages /api/applications /api/deadletters /api/emails/k/original; do
    [ "$(code "http://127.0.0.1:$port$p")" = 401 ] ||
        fail "GET $p without a token on 0.0.0.0 was not refused with 401"
done
[ "$(code "${auth[@]}" "http://127.0.0.1:$port/api/deadletters")" = 200 ] ||
    fail "GET /api/deadletters with the token was not answered 200"
[ "$(code "http://127.0.0.1:$port/health")" = 200 ] || fail "/health needs no token"
grep -q 'reads /health, /metrics and the page.s own files.*every /api/ route, reads included, needs the token' run.log ||
    fail "the warning does not name exactly what is readable without the token"
grep -q 'control: refused POST /api/stages/sink/pause from 127.0.0.1: no token (401)' run.log ||
    fail "the refused POST is not logged"
grep -q 'control: POST /api/stages/sink/pause from 127.0.0.1: done (200)' run.log ||
    fail "the accepted POST is not logged"
[ "$(code -X POST -H "Authorization: Bearer $token" "${url%/pause}/resume")" = 200 ] ||
    fail "resume with the token was not accepted"
kill -TERM $RP; wait $RP || true
[ -e "$tf" ] || fail "the operator's token file was removed at stop"
ok "0.0.0.0 without http.token_file refused by validate and run (exit 2); with it: logged; GET /api/* 401 without token, 200 with it; POST 401 without token, 403 foreign Host, 200 with token; POSTs logged"
