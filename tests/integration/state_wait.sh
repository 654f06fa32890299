#!/usr/bin/env bash
# A processor stalled on its state store (PostgreSQL gone mid-run) shows
# WAITING with why in /api/stages and /health ("degraded"), as a sink
# waiting for its database does, and RUNNING again once PostgreSQL is back
# (trial 12: the notifier showed RUNNING while only `store` showed WAITING).
# The host reaches CAREEROPS_TEST_PG through a TCP relay this test cuts and
# restores, so the shared test server is never stopped.
. "$(dirname "$0")/lib.sh"
[ -n "${CAREEROPS_TEST_PG:-}" ] || { echo "SKIP: no CAREEROPS_TEST_PG (eval \"\$(bash scripts/pg.sh env)\")"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is missing"; exit 77; }

# relay.py PORTFILE: 127.0.0.1:<free port> -> the test server's socket (or
# host:port); written port in PORTFILE; SIGTERM closes every connection.
cat > relay.py <<'PY'
import os, re, signal, socket, sys, threading
ci = os.environ["CAREEROPS_TEST_PG"]
kv = dict(re.findall(r"(\w+)\s*=\s*'?([^' ]*)'?", ci))
host, port = kv.get("host", "127.0.0.1"), kv.get("port", "5432")
def upstream():
    if host.startswith("/"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(f"{host}/.s.PGSQL.{port}")
    else:
        s = socket.create_connection((host, int(port)))
    return s
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0))
ls.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(ls.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
def pipe(a, b):
    try:
        while (d := a.recv(65536)):
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
while True:
    c, _ = ls.accept()
    u = upstream()
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
PY
start_relay() { # [PORT]
    rm -f relay.port
    python3 relay.py relay.port "$@" & RELAY=$!; PIDS+=($RELAY)
    for _ in $(seq 50); do [ -s relay.port ] && break; sleep 0.1; done
    [ -s relay.port ] || fail "the relay did not start"
}
wait_status() { # PORT STAGE STATUS
    for _ in $(seq 300); do
        [ "$(stage_status "$1" "$2")" = "$3" ] && return 0
        sleep 0.1
    done
    return 1
}
msg() { # N: an interview invitation
    printf 'From r@acme%s.example Mon Jan  5 10:00:00 2026\nFrom: Acme%s Recruiting <r@acme%s.example>\nTo: me@example.net\nSubject: Interview invitation - Backend Engineer at Acme%s\nDate: Mon, 5 Jan 2026 10:0%s:00 +0000\nMessage-ID: <iv%s@acme.example>\n\nHi,\n\nWe would like to invite you to a video interview for the Backend Engineer role at Acme%s on Tuesday, January 20, 2026 at 2:00 PM UTC.\n\nBest,\nAcme%s Recruiting\n\n' "$1" "$1" "$1" "$1" "$1" "$1" "$1" "$1"
}
start_relay
rport=$(cat relay.port)
ns="itstate$$"
cat > s.json <<J
{"pipeline":"$ns","kafka":{"bootstrap.servers":"embedded"},
 "state":"postgresql://postgres@127.0.0.1:$rport/careerops?connect_timeout=2",
 "http":{"listen":"127.0.0.1:0"},"defaults":{"partitions":1},
 "stages":[
  {"name":"ingest","plugin":"mailbox-source","output":"raw",
   "config":{"path":"s.mbox","follow":true,"poll_interval_ms":100,"settle_ms":0}},
  {"name":"classify","plugin":"rules-classifier","input":"raw","output":"events"},
  {"name":"notify","plugin":"notifier","input":"events","output":"notes"},
  {"name":"show","plugin":"console-sink","input":"notes","config":{"path":"notes.txt"}}]}
J
msg 1 > s.mbox
start_run s.json s.log
for _ in $(seq 300); do grep -q '^== Interview' notes.txt 2>/dev/null && break; sleep 0.1; done
grep -q '^== Interview' notes.txt || fail "no first notification: $(tail -5 s.log)"
wait_status "$port" notify RUNNING || fail "notify is $(stage_status "$port" notify), not RUNNING"
# the source's position after message 1 is stored before PostgreSQL goes:
# it is written once the record is acknowledged, and on a loaded machine
# with a real broker that came after the cut, so that the source, not the
# notifier, waited and message 2 was never read (CI of session 24)
if command -v psql > /dev/null; then
    for _ in $(seq 300); do
        [ "$(psql "$CAREEROPS_TEST_PG dbname=careerops" -XAtc \
            "SELECT count(*) FROM careerops_state WHERE ns = '$ns/ingest'" 2>/dev/null)" = 1 ] && break
        sleep 0.1
    done
fi

# PostgreSQL goes away; the next interview makes the notifier read its state
kill -TERM $RELAY; wait $RELAY 2>/dev/null || true
msg 2 >> s.mbox
wait_status "$port" notify WAITING ||
    fail "notify is $(stage_status "$port" notify), not WAITING, while its state store is gone: $(tail -5 s.log)"
code=$(curl -s -o health.out -w '%{http_code}' "http://127.0.0.1:$port/health")
[ "$code" = 200 ] && grep -q '"status":"degraded".*"stage":"notify","instance":0,"status":"WAITING","last_error":"waiting for PostgreSQL' health.out ||
    fail "/health while notify waits: $code $(cat health.out)"
ok "notifier stalled on its state store: WAITING with why, /health 200 degraded naming it"

start_relay "$rport"
wait_status "$port" notify RUNNING || fail "notify is $(stage_status "$port" notify) after PostgreSQL came back: $(tail -5 s.log)"
for _ in $(seq 300); do [ "$(grep -c '^== Interview' notes.txt)" -ge 2 ] && break; sleep 0.1; done
[ "$(grep -c '^== Interview' notes.txt)" = 2 ] || fail "the second interview was not notified after the wait: $(cat notes.txt)"
kill -TERM $RP; wait $RP || true
ok "PostgreSQL back: notify RUNNING again, the waiting interview notified"
