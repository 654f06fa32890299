#!/usr/bin/env bash
# A host whose state store is unreachable at start waits for it (logging),
# and meanwhile its endpoint answers: /health 503 "starting" with the stage
# it is creating, /api/stages the same, and POST actions 409 saying the
# pipeline is starting (note 19: no endpoint at all until every stage
# existed, so a container healthcheck saw only "connection refused"). One
# SIGTERM then ends it, exit 0. No PostgreSQL needed: port 1 refuses.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "SKIP: curl is missing"; exit 77; }
export XDG_RUNTIME_DIR="$T/xdg"
mkdir -m 700 "$XDG_RUNTIME_DIR"
cat > m.json <<'J'
{"pipeline":"itstartwait","kafka":{"bootstrap.servers":"embedded"},
 "state":"postgresql://careerops@127.0.0.1:1/careerops",
 "http":{"listen":"127.0.0.1:0"},
 "stages":[{"name":"src","plugin":"mock-source","output":"a","config":{"count":5}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"o.jsonl"}}]}
J
start_run m.json run.log # its endpoint answers while it waits for PostgreSQL
wait_line run.log 'waiting for PostgreSQL' 30 || fail "no 'waiting for PostgreSQL': $(tail -3 run.log)"
code=$(curl -s -o health.json -w '%{http_code}' "http://127.0.0.1:$port/health")
[ "$code" = 503 ] && grep -q '"status":"starting"' health.json && grep -q '"stage":"src"' health.json ||
    fail "/health while starting: $code $(cat health.json)"
curl -sf "http://127.0.0.1:$port/api/stages" | grep -q '"starting":"src"' ||
    fail "/api/stages while starting: $(curl -s "http://127.0.0.1:$port/api/stages")"
tok=$(grep -o 'token=[0-9a-f]*' run.log | head -n 1 | cut -d= -f2)
code=$(curl -s -o act.json -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
    "http://127.0.0.1:$port/api/stages/src/restart")
[ "$code" = 409 ] && grep -q 'the pipeline is starting' act.json || fail "restart while starting: $code $(cat act.json)"
kill -TERM "$RP"
rc=0; wait "$RP" || rc=$?
[ "$rc" = 0 ] || fail "exit $rc after SIGTERM while waiting for PostgreSQL: $(tail -n 3 run.log)"
ok "waiting for PostgreSQL at start: /health 503 starting (stage src), /api/stages says so, a restart 409; SIGTERM exit 0"
