#!/usr/bin/env bash
# Trial 43, fault 2: the dashboard's Relabel runs `careerops relabel` as a
# child; the postgres-sink conninfo, whose password comes from
# ${secret:...}, went in its arguments, which /proc/PID/cmdline shows to
# every local user. It goes in the child's environment (CAREEROPS_STATE,
# readable by this user only) now. The database here is a port that
# accepts and never answers, so the child waits (connect_timeout) while
# the test reads its command line. No PostgreSQL needed.
. "$(dirname "$0")/../integration/lib.sh"
command -v curl > /dev/null || { echo "SKIP: curl is missing"; exit 77; }
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True); time.sleep(120)' > pg.port & PIDS+=($!)
for _ in $(seq 50); do [ -s pg.port ] && break; sleep 0.1; done
pgport=$(cat pg.port)
mkdir -p secrets
printf 'postgresql://app:Secr3tPW0rd@127.0.0.1:%s/careerops?connect_timeout=8' "$pgport" > secrets/pg_url
cat > m.json <<J
{"pipeline":"relargv","kafka":{"bootstrap.servers":"embedded"},"secrets_dir":"secrets",
 "stages":[
  {"name":"src","plugin":"mock-source","output":"raw"},
  {"name":"store","plugin":"postgres-sink","input":"raw",
   "config":{"conninfo":"\${secret:pg_url}","schema":"s","tables":["emails"]}}]}
J
"$B" serve m.json --listen 127.0.0.1:0 > serve.out 2> serve.log & SP=$!; PIDS+=($SP)
for _ in $(seq 150); do grep -q http serve.out 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*/' serve.out) || fail "serve: $(cat serve.log)"
tok=$(grep -o '#token=[0-9a-f]*' serve.out | cut -d= -f2)
curl -s -m 30 -o post.json -X POST -H "Authorization: Bearer $tok" \
    "${url}api/relabel?key=abcdef12&label=OFFER" & CP=$!; PIDS+=($CP)
child=""
for _ in $(seq 100); do
    child=$(ps -o pid= --ppid "$SP" | tr -d ' ' | head -n 1) || true
    [ -n "$child" ] && tr '\0' ' ' < "/proc/$child/cmdline" > cmdline.txt 2>/dev/null &&
        grep -q relabel cmdline.txt && break
    child=""; sleep 0.1
done
[ -n "$child" ] || fail "no careerops relabel child of serve seen"
! grep -q Secr3t cmdline.txt || fail "the password is in the child's command line: $(cat cmdline.txt)"
grep -q -- '--conninfo' cmdline.txt && fail "the conninfo is still an argument: $(cat cmdline.txt)"
tr '\0' '\n' < "/proc/$child/environ" | grep -q '^CAREEROPS_STATE=postgresql://app:Secr3tPW0rd@' ||
    fail "the child did not get the conninfo in CAREEROPS_STATE"
wait "$CP" || true
grep -q "careerops relabel failed" post.json || fail "relabel answered: $(cat post.json)"
! grep -q Secr3t serve.log serve.out post.json || fail "the password is in the output: $(cat post.json)"
ok "relabel from the dashboard: the conninfo in the child's environment, not in /proc/PID/cmdline ($(cut -c1-120 cmdline.txt))"

# trial 45: SIGTERM ends serve even while a request waits on its child
# (5 s at most; trial 45's threads stuck in open() of a FIFO kept it up)
curl -s -m 30 -o post2.json -X POST -H "Authorization: Bearer $tok" \
    "${url}api/relabel?key=abcdef12&label=OFFER" & PIDS+=($!)
for _ in $(seq 50); do [ -n "$(ps -o pid= --ppid "$SP")" ] && break; sleep 0.1; done
t0=$SECONDS
kill -TERM "$SP"
for _ in $(seq 70); do kill -0 "$SP" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$SP" 2>/dev/null || fail "serve still runs 7 s after SIGTERM, a relabel in progress"
rc=0; wait "$SP" || rc=$?
[ "$rc" = 1 ] || fail "serve exited $rc after cutting a request at its stop (want 1)"
grep -q 'stopped without waiting for the requests in progress' serve.log ||
    fail "no WARN that the stop did not wait: $(tail -n 3 serve.log)"
ok "SIGTERM with a relabel in progress: serve ended in $((SECONDS - t0)) s"
