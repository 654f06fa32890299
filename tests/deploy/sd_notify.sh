#!/usr/bin/env bash
# `careerops run` under a service manager's NOTIFY_SOCKET (Type=notify,
# deploy/systemd/careerops@.service): a small datagram listener stands in
# for systemd and records what the host sends. Checks:
#  1. READY=1 with a STATUS= line once the stage runs, WATCHDOG=1 every
#     quarter of WATCHDOG_USEC, STOPPING=1 after SIGTERM, exit 0;
#     the process has libsystemd.so.0 loaded (sd_notify is libsystemd's).
#  2. without NOTIFY_SOCKET, libsystemd is not even loaded (idle RSS).
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_PLUGIN_PATH:?run through meson test}"
export CAREEROPS_PLUGIN_PATH CAREEROPS_LOOPBACK_ONLY=1
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }
[ -e /usr/lib/x86_64-linux-gnu/libsystemd.so.0 ] || ldconfig -p | grep -q libsystemd.so.0 ||
    { echo "SKIP: libsystemd.so.0 missing (Debian package libsystemd0)" >&2; exit 77; }
B=$CAREEROPS_BIN
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-notify.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > m.json <<'J'
{"pipeline":"notify-it","kafka":{"bootstrap.servers":"embedded"},
 "stages":[
  {"name":"src","plugin":"mock-source","output":"a","config":{"count":1000000,"rate":200}},
  {"name":"sink","plugin":"mock-sink","input":"a","config":{"path":"out.jsonl"}}]}
J

# The listener: one line per datagram, assignments joined with '|'.
python3 - "$T/notify.sock" > notify.log <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
while True:
    try:
        data = s.recv(65536)
    except socket.timeout:
        break
    print(data.decode().replace("\n", "|"), flush=True)
PY
PIDS+=($!)
for _ in $(seq 100); do [ -S notify.sock ] && break; sleep 0.05; done
[ -S notify.sock ] || fail "listener did not bind"

# ---- 1. under a service manager ------------------------------------------
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 "$B" run m.json 2> run.log &
RP=$!
PIDS+=($RP)
for _ in $(seq 600); do grep -q "READY=1" notify.log && break; sleep 0.05; done
grep -q '^READY=1|STATUS=pipeline notify-it running 2 stage instance(s)$' notify.log ||
    fail "no READY=1 with STATUS: $(cat notify.log) $(tail -5 run.log)"
grep -q 'libsystemd.so.0' "/proc/$RP/maps" || fail "libsystemd is not loaded"
sleep 1.2
w=$(grep -c '^WATCHDOG=1$' notify.log || true)
# 1.2 s at one ping per 100 ms quarter: about 12 (the supervisor ticks every 100 ms)
[ "$w" -ge 4 ] || fail "want WATCHDOG=1 every 100 ms, got $w in 1.2 s: $(cat notify.log)"
kill -TERM "$RP"
wait "$RP" || fail "run exited $? after SIGTERM: $(tail -5 run.log)"
sleep 0.2
grep -q '^STOPPING=1|STATUS=stopping: finishing in-flight records$' notify.log ||
    fail "no STOPPING=1: $(cat notify.log)"
# READY comes before STOPPING, once each
[ "$(grep -c 'READY=1' notify.log)" = 1 ] || fail "READY=1 not once: $(cat notify.log)"
[ "$(grep -n 'READY=1' notify.log | cut -d: -f1)" -lt "$(grep -n 'STOPPING=1' notify.log | cut -d: -f1)" ] ||
    fail "STOPPING before READY: $(cat notify.log)"
echo "ok 1: READY=1 with STATUS, $w x WATCHDOG=1 in 1.2 s, STOPPING=1 on SIGTERM, exit 0"

# ---- 2. no NOTIFY_SOCKET: libsystemd stays out of the process ------------
: > notify.log
env -u NOTIFY_SOCKET "$B" run m.json 2> run2.log &
RP=$!
PIDS+=($RP)
for _ in $(seq 600); do grep -q "running 2 stage" run2.log && break; sleep 0.05; done
grep -q 'running 2 stage' run2.log || fail "run 2 did not start: $(tail -5 run2.log)"
if grep -q 'libsystemd' "/proc/$RP/maps"; then fail "libsystemd loaded without NOTIFY_SOCKET"; fi
kill -TERM "$RP"
wait "$RP" || fail "run 2 exited $?"
[ ! -s notify.log ] || fail "sent without NOTIFY_SOCKET: $(cat notify.log)"
echo "ok 2: without NOTIFY_SOCKET nothing is sent and libsystemd is not loaded"
