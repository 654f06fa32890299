#!/usr/bin/env bash
# `careerops serve` beyond loopback (trial 5, defect 1) on the throwaway
# PostgreSQL (CAREEROPS_TEST_PG; skipped without it): on 0.0.0.0 every
# /api/ read (applications, a raw message) answers 401 without the token of
# http.token_file and 200 with it, reached over 127.0.0.1 and over the
# machine's own address; /health and the page need none; the warning names
# exactly what is readable without the token; an unknown /api/ path is 401
# too (404 only with the token). Without http.token_file, serve refuses
# 0.0.0.0 (exit 2, naming the setting). On 127.0.0.1 the mail needs the
# token too (trial 43), /api/stages none; no /api/token.
# POST /api/stages/NAME/pause (with the token) is 409 "no pipeline runs
# under careerops serve".
APPS_SCHEMA=srvtok
. "$CAREEROPS_SOURCE_ROOT/tests/lib/apps_schema.sh"
psq -c "INSERT INTO $S.applications VALUES ('a1', 'Saltmarsh', 'Engineer', 'APPLIED',
   now(), now(), 'APPLICATION_ACK', NULL, '{}')" > /dev/null
head -c 32 /dev/urandom | base64 > token
chmod 600 token
cat > m.json <<J
{"pipeline":"srvtok","kafka":{"bootstrap.servers":"embedded"},
 "http":{"token_file":"token"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"raw"},
  {"name":"store","plugin":"postgres-sink","input":"raw",
   "config":{"conninfo":"$CAREEROPS_TEST_PG","schema":"$S","tables":["emails"]}}]}
J
serve() { # ADDR: starts serve, sets port
    "$B" serve m.json --listen "$1" > serve.out 2> serve.log & PIDS+=($!)
    for _ in $(seq 100); do grep -q http serve.out 2>/dev/null && break; sleep 0.1; done
    port=$(grep -o 'http://[0-9.]*:[0-9]*' serve.out | sed 's/.*://') || fail "serve: $(cat serve.log)"
}
code() { curl -s -o body.json -w '%{http_code}' "$@"; }
# without http.token_file, 0.0.0.0 is refused before anything listens
grep -v token_file m.json > bare.json
rc=0; timeout 20 "$B" serve bare.json --listen 0.0.0.0:0 > bare.out 2> bare.log || rc=$?
[ "$rc" = 2 ] || fail "serve --listen 0.0.0.0:0 without http.token_file: exit $rc, want 2: $(cat bare.log)"
grep -q 'beyond loopback.*set http.token_file' bare.log ||
    fail "the refusal does not name http.token_file: $(cat bare.log)"
! grep -q http:// bare.out || fail "serve printed a URL before refusing: $(cat bare.out)"
serve 0.0.0.0:0
grep -q "reads /health, /metrics and the page's own files (/, app.js, style.css: no data); every /api/ route, reads included, needs the token" serve.log ||
    fail "the warning does not say what is readable without the token: $(cat serve.log)"
hosts=(127.0.0.1)
own=$(hostname -I 2>/dev/null | awk '{print $1}')
[ -n "$own" ] && hosts+=("$own")
for h in "${hosts[@]}"; do
    base=http://$h:$port
    for p in /api/applications /api/emails/k/original '/api/emails/k/original?view=text' /api/stages /api/funnel; do
        c=$(code "$base$p")
        [ "$c" = 401 ] || fail "GET $base$p without the token: $c $(cat body.json)"
        grep -q '"error"' body.json || fail "the 401 is not JSON: $(cat body.json)"
    done
    # no route discovery without the token: an unknown path is 401 too
    c=$(code "$base/api/nosuch")
    [ "$c" = 401 ] || fail "GET $base/api/nosuch without the token: $c (want 401, as known routes)"
    c=$(code -H "Authorization: Bearer $(cat token)" "$base/api/nosuch")
    [ "$c" = 404 ] || fail "GET $base/api/nosuch with the token: $c (want 404)"
    c=$(code -H "Authorization: Bearer $(cat token)" "$base/api/applications")
    [ "$c" = 200 ] && grep -q Saltmarsh body.json || fail "GET $base/api/applications with the token: $c $(cat body.json)"
    [ "$(code "$base/health")" = 200 ] || fail "$base/health needs no token"
done
# trial 12: a stage action under serve, which runs no pipeline, is 409
# saying so (it was 404 "no such route"); without the token still 401
c=$(code -X POST -H "Authorization: Bearer $(cat token)" "http://127.0.0.1:$port/api/stages/classify/pause")
[ "$c" = 409 ] && grep -q "no pipeline runs under careerops serve" body.json ||
    fail "POST /api/stages/classify/pause under serve: $c $(cat body.json)"
c=$(code -X POST "http://127.0.0.1:$port/api/stages/classify/pause")
[ "$c" = 401 ] || fail "POST /api/stages/classify/pause without the token: $c"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
# trial 43: on loopback too the mail needs the token (any local user
# reaches the port) and no endpoint hands it out; serve prints the page's
# address with the token in its fragment
serve 127.0.0.1:0
c=$(code "http://127.0.0.1:$port/api/applications")
[ "$c" = 401 ] || fail "on loopback GET /api/applications without a token: $c, want 401"
c=$(code -H 'Sec-Fetch-Site: same-origin' "http://127.0.0.1:$port/api/token")
[ "$c" = 404 ] && ! grep -q "$(cat token)" body.json ||
    fail "GET /api/token on loopback: $c $(cat body.json) (no endpoint hands out the token)"
grep -q "^dashboard: http://127.0.0.1:$port/#token=$(cat token) " serve.out ||
    fail "serve does not print the page's address with the token: $(cat serve.out)"
grep -q "\"dashboard: http://127.0.0.1:$port/#token=$(cat token) " serve.log ||
    fail "serve does not log the page's address with the token: $(cat serve.log)"
c=$(code -H "Authorization: Bearer $(cat token)" "http://127.0.0.1:$port/api/applications")
[ "$c" = 200 ] || fail "on loopback GET /api/applications with the token: $c"
[ "$(code "http://127.0.0.1:$port/api/stages")" = 200 ] || fail "on loopback GET /api/stages needs no token"
ok "0.0.0.0 without http.token_file refused (exit 2); with it (over ${hosts[*]}): /api/* (unknown paths too) 401 without the token, 200/404 with it; on loopback the mail 401 without it, no /api/token, the address with #token= printed and logged"

# note 33: a schema without postgres-sink's tables is said at start, not
# only at each page ("query failed"); with the tables, nothing is said
grep -q "lacks postgres-sink's tables" serve.log &&
    fail "serve warned of missing tables in $S, which has them: $(cat serve.log)"
sed -i "s/\"schema\":\"$S\"/\"schema\":\"${S}_none\"/" m.json
serve 127.0.0.1:0
for _ in $(seq 50); do grep -q "lacks postgres-sink's tables" serve.log && break; sleep 0.1; done
grep -q "schema \\\\\"${S}_none\\\\\" lacks postgres-sink's tables application_transitions, applications: the pages answer 500 until they exist; run the pipeline once" serve.log ||
    fail "no WARN at start for a schema without the tables: $(cat serve.log)"
ok "serve says at start that schema ${S}_none has none of postgres-sink's tables"
