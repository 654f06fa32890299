#!/usr/bin/env bash
# Trial 43, fault 4: a dashboard read of a table locked in psql held every
# request, /health included, for 13 s (libmicrohttpd's one thread, no
# statement timeout). Now the reads wait 3 s at most (503 saying why) and
# /health is answered at once by another thread of the pool. Needs
# PostgreSQL (CAREEROPS_TEST_PG; skipped without it).
APPS_SCHEMA=dblock
. "$CAREEROPS_SOURCE_ROOT/tests/lib/apps_schema.sh"
cat > m.json <<J
{"pipeline":"dblock","kafka":{"bootstrap.servers":"embedded"},
 "stages":[{"name":"src","plugin":"mock-source","output":"raw"},
  {"name":"store","plugin":"postgres-sink","input":"raw",
   "config":{"conninfo":"$CAREEROPS_TEST_PG","schema":"$S","tables":["emails"]}}]}
J
"$B" serve m.json --listen 127.0.0.1:0 > serve.out 2> serve.log & PIDS+=($!)
for _ in $(seq 100); do grep -q http serve.out 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*/' serve.out) || fail "serve: $(cat serve.log)"
tok=$(grep -o '#token=[0-9a-f]*' serve.out | cut -d= -f2)
# lock_apps SECONDS: hold the applications table in psql for SECONDS
lock_apps() {
    psq -c "BEGIN; LOCK TABLE $S.applications IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($1); COMMIT" > /dev/null & PIDS+=($!)
    for _ in $(seq 50); do
        [ "$(psq -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'applications' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && return 0
        sleep 0.1
    done
}
lock_apps 10
reads=()
for i in 1 2 3 4; do
    curl -s -m 20 -o "a$i.json" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $tok" \
        "${url}api/applications" > "a$i.code" & reads+=($!)
done
sleep 0.5
h=$(curl -s -m 20 -o health.json -w '%{http_code} %{time_total}' "${url}health")
for p in "${reads[@]}"; do wait "$p" || true; done
read -r hc ht <<< "$h"
[ "$hc" = 200 ] && python3 -c "import sys; sys.exit(float(sys.argv[1]) >= 1.5)" "$ht" ||
    fail "/health behind the locked reads: $hc in $ht s (want 200 within 1.5 s)"
read -r c t < a1.code
[ "$c" = 503 ] && grep -q 'did not answer within 3 s' a1.json &&
    python3 -c "import sys; sys.exit(float(sys.argv[1]) >= 8)" "$t" ||
    fail "a read of the locked table: $c in $t s: $(cat a1.json) (want 503 within 3 s and a bit)"
grep -q 'no answer within 3 s (statement_timeout)' serve.log || fail "no WARN saying why: $(cat serve.log)"
ok "a table locked: /health $hc in $ht s; the read 503 in $t s: $(cut -c1-100 a1.json)"

# trial 44: 20 reads at once filled all 8 threads and /health waited 30 s.
# At most 4 reads wait on the database; the others answer 503 at once.
lock_apps 12
reads=()
for i in $(seq 20); do
    curl -s -m 40 -o "b$i.json" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $tok" \
        "${url}api/applications" > "b$i.code" & reads+=($!)
done
sleep 0.5
worst=0
for i in 1 2 3 4 5; do
    h=$(curl -s -m 40 -o /dev/null -w '%{http_code} %{time_total}' "${url}health")
    read -r hc ht <<< "$h"
    [ "$hc" = 200 ] || fail "/health with 20 reads waiting: $hc in $ht s"
    worst=$(python3 -c "import sys; print(max(float(sys.argv[1]), float(sys.argv[2])))" "$worst" "$ht")
    sleep 0.3
done
for p in "${reads[@]}"; do wait "$p" || true; done
python3 -c "import sys; sys.exit(float(sys.argv[1]) >= 3.5)" "$worst" ||
    fail "/health took $worst s with 20 reads waiting on a locked table (want under 3.5)"
busy=$(grep -l 'busy: other reads' b*.json | wc -l)
[ "$busy" -ge 10 ] || fail "only $busy of 20 reads answered busy at once: $(head -c 200 b1.json)"
ok "20 reads of a locked table: $busy answered 503 busy at once, /health at worst $worst s"

