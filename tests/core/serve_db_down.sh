#!/usr/bin/env bash
# `careerops serve` when its PostgreSQL does not answer (trial 6): it still
# starts (the pages answer 503), but says so at once in a WARN naming the
# database without its password and the fix; `scripts/pg.sh env` on a
# stopped cluster says so on stderr.
. "$(dirname "$0")/../integration/lib.sh"
command -v curl > /dev/null || { echo "SKIP: curl is missing"; exit 77; }
# a port nobody listens on: bind one, then let it go
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > m.json <<J
{"pipeline":"dbdown","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"raw"},
  {"name":"store","plugin":"postgres-sink","input":"raw",
   "config":{"conninfo":"postgresql://jobs:hunter2-secret@127.0.0.1:$port/careerjobs","tables":["emails"]}}]}
J
env -u CAREEROPS_STATE "$B" serve m.json > serve.out 2> serve.log & PIDS+=($!)
for _ in $(seq 100); do grep -q 'does not answer' serve.log 2>/dev/null && break; sleep 0.1; done
grep -q "serve: database careerjobs on 127.0.0.1:$port as jobs does not answer .*bash scripts/pg.sh start" serve.log ||
    fail "no WARN naming the database and the fix: $(cat serve.log)"
grep -q '"level":"warn"' serve.log || fail "not at WARN: $(cat serve.log)"
! grep -q hunter2 serve.log serve.out || fail "the password is in the output: $(cat serve.log)"
for _ in $(seq 50); do grep -q http:// serve.out && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*/' serve.out) || fail "serve printed no URL: $(cat serve.out)"
tok=$(grep -o '#token=[0-9a-f]*' serve.out | cut -d= -f2)
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "${url}api/applications")
[ "$c" = 503 ] || fail "GET /api/applications with the database down: $c, want 503"
# pg.sh env on a cluster folder whose server is not running
if ls /usr/lib/postgresql/*/bin/pg_ctl > /dev/null 2>&1; then
    mkdir -p pg/data && echo 15 > pg/data/PG_VERSION && echo 55999 > pg/port
    CAREEROPS_PG_DIR=$T/pg bash "$CAREEROPS_SOURCE_ROOT/scripts/pg.sh" env > env.out 2> env.err ||
        fail "pg.sh env failed: $(cat env.err)"
    grep -q 'pg.sh: the cluster in .* is stopped.*bash scripts/pg.sh start' env.err ||
        fail "pg.sh env on a stopped cluster says nothing on stderr: $(cat env.err)"
    grep -q '^export CAREEROPS_STATE=' env.out || fail "pg.sh env printed no variables: $(cat env.out)"
    msg="; pg.sh env says the cluster is stopped"
else
    msg="; pg.sh env not checked (PostgreSQL is not installed)"
fi
ok "serve with PostgreSQL down: WARN at start naming database, host, user (no password) and bash scripts/pg.sh start; /api/ 503$msg"

# trial 45: a URI with an unencoded '@' in its password, from CAREEROPS_STATE
# or a postgres-sink's conninfo: libpq took "ss@127.0.0.1" for the host and
# the WARN said it; serve refuses it at start (exit 2), printing none of it
cat > nodb.json <<J
{"pipeline":"dbamb","kafka":{"bootstrap.servers":"embedded"},
 "stages":[{"name":"src","plugin":"mock-source","output":"raw"}]}
J
sed "s#hunter2-secret@#hun@ter2@#" m.json > amb.json
for how in state sink; do
    rc=0
    if [ $how = state ]; then
        CAREEROPS_STATE="postgresql://alice:p@ss@127.0.0.1:$port/careerops" timeout 20 \
            "$B" serve nodb.json --listen 127.0.0.1:0 > amb.out 2> amb.err || rc=$?
    else
        env -u CAREEROPS_STATE timeout 20 "$B" serve amb.json --listen 127.0.0.1:0 > amb.out 2> amb.err || rc=$?
    fi
    [ "$rc" = 2 ] || fail "serve with an ambiguous URI ($how): exit $rc, want 2: $(cat amb.err)"
    grep -q "error: careerops serve: the dashboard's connection string .*percent-encode" amb.err ||
        fail "serve with an ambiguous URI ($how): $(cat amb.err)"
    ! grep -Eq 'ss@|ter2|could not translate|does not answer' amb.err amb.out ||
        fail "serve printed a piece of the password ($how): $(cat amb.err)"
done
ok "serve refuses a URI with an unencoded '@' in its password (CAREEROPS_STATE, postgres-sink)"
