#!/usr/bin/env bash
# imap-source end to end against a real Dovecot (dovecot_lib.sh: loopback,
# TLS with a CA made by openssl, passwd-file users) through the host, with
# mock-sink writing raw_inbox_stream out. One phase per meson test:
#   sync      500 messages; keys equal mailbox-source's on the same Maildir
#   idle      a message saved during IDLE reaches the topic within 10 s,
#             so by IDLE, not by the 60 s poll (the milliseconds are
#             printed: about 1 s on an idle machine; a figure, not a pass
#             condition, since a loaded CI machine stretches it)
#   folders   INBOX, Jobs and Later: mail saved in Jobs and Later while INBOX
#             is in IDLE reaches the topic within 10 s by the STATUS check
#             (status_interval_ms 1 s), not poll_interval_ms (60 s); one
#             connection
#   sigkill   the host SIGKILLed 10 times in the first sync: none missing
#   uidvalidity  folder recreated (new UIDVALIDITY): 0 duplicate events
#   auth      a wrong password: FATAL stage, clear message, secret not logged
#   outage    the server stopped 20 s: the source reconnects, nothing lost
#   starttls  imap:// upgraded with STARTTLS; an unknown CA is FATAL
#   oauth     XOAUTH2 with an access token from a refresh token (a fake
#             token endpoint that is also Dovecot's introspection URL)
#   big       a 2.4 MB plain-text message among 20: its record carries the
#             archive reference (claim check), the raw bytes are in the
#             archive folder under their SHA-256, the record stays bounded
#   skipkeys  skip_keys_file (lib/mail, as mailbox-source): 3 of 20 keys
#             listed are read but not emitted; a line that is not a key
#             fails the start, naming the line
# Every phase also checks that no message got \Seen.
# usage (meson): imap_e2e.sh PHASE BUILD_DIR
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_PLUGIN_PATH:?run through meson test}"
export CAREEROPS_PLUGIN_PATH CAREEROPS_LOOPBACK_ONLY=1
PHASE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
B="$CAREEROPS_BIN"
CORPUS=$(realpath "${CAREEROPS_CORPUS:-$HERE/../../../../shared/corpus}" 2>/dev/null || true)
source "$HERE/dovecot_lib.sh"
if ! "$B" plugins list 2>/dev/null | grep -q mock-sink; then
    echo "SKIP: mock-sink is not built (-Dplugins=...,mock)"; exit 77
fi
if [ ! -d "$CORPUS/negatives/spamassassin" ]; then
    echo "SKIP: the mail corpus (../shared/corpus) is missing"; exit 77
fi
mkdir -p "$2/imap-e2e"
T=$(mktemp -d "$(realpath "$2")/imap-e2e/$PHASE.XXXXXX")
chmod 755 "$T" # Dovecot runs as nobody under root
PIDS=()
cleanup() {
    # only our own children still: a finished one's pid may belong to
    # another test by now (the imap tests run in parallel)
    for p in "${PIDS[@]:-}"; do
        if [ -n "$p" ] && [ "$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')" = "$$" ]; then
            kill -9 "$p" 2>/dev/null || true
        fi
    done
    dovecot_stop
    dovecot_clean
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
# meson stops a test that overruns its timeout with SIGTERM: exit through
# the EXIT trap, or the test's Dovecot outlives the suite
trap 'exit 143' TERM INT HUP
cd "$T"
fail() { echo "FAIL: $*" >&2; tail -5 src.log 2>/dev/null >&2; exit 1; }

if [ "$PHASE" = oauth ]; then
    # the fake OAuth server: /token (refresh grant) and /introspect (Dovecot)
    cat > oauth.py <<'P'
import http.server, json, sys, urllib.parse
issued = set()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        f = urllib.parse.parse_qs(self.rfile.read(n).decode())
        get = lambda k: f.get(k, [""])[0]
        if self.path == "/token":
            ok = (get("grant_type") == "refresh_token" and
                  get("refresh_token") == "good-refresh-token" and
                  get("client_id") == "test-client")
            body = ({"access_token": "acc-%d" % len(issued), "token_type": "Bearer",
                     "expires_in": 3600} if ok else {"error": "invalid_grant",
                     "error_description": "refresh token revoked"})
            if ok: issued.add(body["access_token"])
            with open("oauth.log", "a") as l: l.write("token %s\n" % ("ok" if ok else "refused"))
            code = 200 if ok else 400
        else:
            act = get("token") in issued
            body = {"active": act, "username": "alice"} if act else {"active": False}
            with open("oauth.log", "a") as l: l.write("introspect %s\n" % act)
            code = 200
        b = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open("oauth.port", "w").write(str(s.server_address[1]))
s.serve_forever()
P
    python3 oauth.py & PIDS+=("$!")
    for _ in $(seq 50); do [ -s oauth.port ] && break; sleep 0.1; done
    [ -s oauth.port ] || fail "the fake OAuth server did not start"
    export DOVECOT_OAUTH_URL="http://127.0.0.1:$(cat oauth.port)/introspect"
    EXTRA_CFG=",\"oauth_token_url\":\"http://127.0.0.1:$(cat oauth.port)/token\""
fi
dovecot_setup "$T/dovecot"
MAILDIR="$D/mail/alice"
# the corpus' messages (not its LICENSE, SOURCE.txt, MANIFEST.csv)
msgs() { find "$CORPUS/negatives/spamassassin" -type f -name '[0-9]*' | sort; }
# N messages of the corpus into alice's INBOX (Maildir, not \Seen)
fill() {
    local n=$1 i=0 f
    mkdir -p "$MAILDIR/cur" "$MAILDIR/new" "$MAILDIR/tmp"
    for f in $(msgs | head -n "$n"); do
        i=$((i + 1))
        cp "$f" "$MAILDIR/cur/$((1700000000 + i)).M${i}P1.test:2,"
    done
    [ "$(id -u)" = 0 ] && chown -R nobody: "$D/mail"
    true
}
N=500
[ "$PHASE" = sync ] || [ "$PHASE" = sigkill ] || N=100
[ "$PHASE" = oauth ] || [ "$PHASE" = starttls ] || [ "$PHASE" = big ] || [ "$PHASE" = folders ] || [ "$PHASE" = skipkeys ] && N=20
fill $N
if [ "$PHASE" = big ]; then
    python3 - "$MAILDIR/cur/1800000000.M1P1.big:2," <<'P'
import sys
with open(sys.argv[1], "w") as f:
    f.write("From: Big Sender <big@example.com>\nTo: alice@example.com\n"
            "Subject: a long plain text email\nMessage-ID: <big@example.com>\n"
            "Date: Thu, 3 Dec 2026 07:00:00 +0000\n\n")
    n = 0
    while f.tell() < 2_400_000:
        f.write("Dear candidate, this is line %06d of a very long email.\n" % n)
        n += 1
P
    [ "$(id -u)" = 0 ] && chown -R nobody: "$D/mail"
    N=$((N + 1))
    EXTRA_CFG=",\"archive\":\"archive\""
fi
dovecot_start
if [ "$PHASE" = folders ]; then
    doveadm_ mailbox create -u alice Jobs Later || fail "cannot create the folders"
    EXTRA_CFG=',"folders":["INBOX","Jobs","Later"],"status_interval_ms":1000'
fi

[ "$PHASE" = skipkeys ] && EXTRA_CFG=',"follow":false,"skip_keys_file":"skip.keys"'
[ "$PHASE" = starttls ] && URL="imap://127.0.0.1:$IMAP_PORT"
mkdir -p secrets
if [ "$PHASE" = auth ]; then
    echo "wrong-password-xyzzy" > secrets/imap_password
else
    echo "alice-app-password" > secrets/imap_password
fi
echo test-client > secrets/imap_oauth_client_id
echo good-refresh-token > secrets/imap_refresh_token
cp "$D/tls/ca.crt" ca.crt
cat > m.json <<J
{"pipeline":"imap-e2e","kafka":{"bootstrap.servers":"embedded"},
 "state":"file:state.json","secrets_dir":"secrets",
 "stages":[
  {"name":"ingest","plugin":"imap-source","output":"raw_inbox_stream",
   "commit_interval_ms":100,
   "config":{"url":"${URL:-imaps://127.0.0.1:$IMAPS_PORT}","user":"alice",
             "ca_file":"ca.crt","batch":${BATCH:-25},"timeout_ms":5000${EXTRA_CFG:-}}},
  {"name":"store","plugin":"mock-sink","input":"raw_inbox_stream",
   "config":{"path":"out.jsonl","headers":true}}]}
J
"$B" broker --bootstrap-file bs.txt --manifest m.json > broker.log 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do [ -s bs.txt ] && break; sleep 0.1; done
[ -s bs.txt ] || fail "broker did not start: $(cat broker.log)"
S=(--set "kafka.bootstrap.servers=$(cat bs.txt)")
"$B" run m.json "${S[@]}" --stage store 2> sink.log & SINK=$!; PIDS+=("$SINK")

lines() { [ -f out.jsonl ] && wc -l < out.jsonl || echo 0; }
distinct() {
    [ -f out.jsonl ] || { echo 0; return; }
    python3 -c 'import json,sys; print(len({json.loads(l)["key"] for l in open("out.jsonl") if l.strip()}))'
}
wait_distinct() { # N SECONDS
    local end=$((SECONDS + $2))
    while [ $SECONDS -lt $end ]; do
        [ "$(distinct)" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
start_src() {
    "$B" run m.json "${S[@]}" --stage ingest 2>> src.log & SRC=$!
    PIDS+=("$SRC")
}
# keys mailbox-source gives for the same Maildir
mailbox_keys() {
    cat > mb.json <<J
{"pipeline":"imap-mb","kafka":{"bootstrap.servers":"embedded"},
 "state":"file:mbstate.json",
 "stages":[
  {"name":"ingest","plugin":"mailbox-source","output":"mb_stream",
   "config":{"path":"$MAILDIR","format":"maildir"}},
  {"name":"store","plugin":"mock-sink","input":"mb_stream",
   "config":{"path":"mb.jsonl","headers":true}}]}
J
    "$B" run mb.json --set "kafka.bootstrap.servers=$(cat bs.txt)" --stage store 2> mbsink.log & local MS=$!
    PIDS+=("$MS")
    "$B" run mb.json --set "kafka.bootstrap.servers=$(cat bs.txt)" --stage ingest --until-idle 2> mb.log ||
        fail "mailbox-source failed: $(tail -3 mb.log)"
    local end=$((SECONDS + 60))
    while [ $SECONDS -lt $end ] && [ "$([ -f mb.jsonl ] && wc -l < mb.jsonl || echo 0)" -lt "$1" ]; do sleep 0.2; done
    kill -TERM $MS; wait $MS 2>/dev/null || true
}
check_unseen() {
    local seen
    seen=$(find "$MAILDIR" -path '*/cur/*' -name '*:2,*S*' | wc -l)
    [ "$seen" = 0 ] || fail "$seen messages were marked \\Seen"
    echo "no message marked \\Seen (Maildir flags checked)"
}
report() { # expected distinct
    python3 - "$1" <<'P'
import json, re, sys
want = int(sys.argv[1])
recs = [json.loads(l) for l in open("out.jsonl") if l.strip()]
keys = {}
for r in recs:
    v = json.loads(r["value"])
    assert v["schema"] == "careerops.email.v1", v["schema"]
    assert v["key"] == r["key"]
    assert r["headers"].get("careerops.email.hash") == r["key"]
    assert v["source"]["kind"] == "imap", v["source"]
    # the URL is the host and port only (trial 53: a login or password
    # cannot be written in config.url any more)
    assert re.fullmatch(r"imaps?://127\.0\.0\.1:[0-9]+", v["source"]["url"]), v["source"]
    keys.setdefault(r["key"], set()).add((v["source"]["uidvalidity"], v["source"]["uid"]))
print("records: %d, distinct messages: %d, duplicate events: %d"
      % (len(recs), len(keys), len(recs) - len(keys)))
if len(keys) < want:
    sys.exit("FAIL: %d of %d messages in the topic" % (len(keys), want))
P
}

case "$PHASE" in
sync)
    t0=$(date +%s.%N)
    start_src
    wait_distinct 500 120 || fail "$(distinct) of 500 messages after 120 s"
    t1=$(date +%s.%N)
    echo "first sync: 500 messages in $(python3 -c "print(round($t1-$t0,2))") s"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    report 500
    mailbox_keys 500
    python3 - <<'P'
import json, sys
a = {json.loads(l)["key"] for l in open("out.jsonl") if l.strip()}
b = {json.loads(l)["key"] for l in open("mb.jsonl") if l.strip()}
print("imap keys: %d, mailbox-source keys: %d, in common: %d" % (len(a), len(b), len(a & b)))
if a != b:
    sys.exit("FAIL: keys differ: %d only imap, %d only mailbox-source" % (len(a - b), len(b - a)))
P
    [ "$(lines)" = 500 ] || fail "$(lines) records for 500 messages (duplicates)"
    ;;
idle)
    start_src
    wait_distinct $N 60 || fail "first sync incomplete"
    sleep 1.5 # in IDLE now
    worst=0
    for i in 1 2 3; do
        f=$(msgs | sed -n "$((600 + i))p")
        before=$(distinct)
        t0=$(date +%s%N)
        doveadm_ save -u alice -m INBOX < "$f"
        wait_distinct $((before + 1)) 10 || fail "message saved during IDLE not in the topic after 10 s"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        echo "message $i saved during IDLE: in the topic after $ms ms"
        [ $ms -gt $worst ] && worst=$ms
        sleep 1
    done
    echo "slowest IDLE delivery: $worst ms"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    grep -q "(IDLE)" src.log || fail "the server's IDLE was not used"
    report $((N + 3))
    ;;
folders)
    start_src
    wait_distinct $N 60 || fail "first sync incomplete"
    sleep 2 # INBOX in IDLE now, the others searched once
    worst=0 i=0
    for folder in Jobs Later Jobs INBOX Later; do
        i=$((i + 1))
        f=$(msgs | sed -n "$((700 + i))p")
        before=$(distinct)
        t0=$(date +%s%N)
        doveadm_ save -u alice -m "$folder" < "$f"
        wait_distinct $((before + 1)) 10 || fail "message saved in $folder not in the topic after 10 s"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        echo "message $i saved in $folder: in the topic after $ms ms"
        [ $ms -gt $worst ] && worst=$ms
        sleep 0.5
    done
    echo "slowest delivery: $worst ms (status_interval_ms 1000, poll_interval_ms 60000)"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    grep -q "(IDLE)" src.log || fail "the server's IDLE was not used"
    [ "$(grep -c 'logged in to' src.log)" = 1 ] || fail "more than one connection: $(grep 'logged in to' src.log)"
    python3 - <<'P' || fail "records name the wrong folders"
import json
folders = [json.loads(json.loads(l)["value"])["source"]["folder"] for l in open("out.jsonl") if l.strip()]
got = folders[-5:]
assert sorted(got) == sorted(["Jobs", "Later", "Jobs", "INBOX", "Later"]), got
print("folders of the last 5 records:", got)
P
    report $((N + 5))
    ;;
sigkill)
    kills=0
    # the stored position (acknowledged): last UID
    stored() { grep -o 'folder:INBOX[^0-9]*[0-9]* [0-9]*' state.json 2>/dev/null |
               awk '{print $NF}' || echo 0; }
    for k in $(seq 10); do
        start_src
        target=$((k * 45))
        end=$((SECONDS + 60))
        while [ $SECONDS -lt $end ] && kill -0 $SRC 2>/dev/null &&
              [ "$(stored || echo 0)" -lt $target ] 2>/dev/null; do sleep 0.02; done
        if kill -9 $SRC 2>/dev/null; then kills=$((kills + 1)); fi
        wait $SRC 2>/dev/null || true
        echo "SIGKILL $k: stored UID $(stored), $(distinct) messages in the topic"
    done
    start_src
    wait_distinct 500 120 || fail "$(distinct) of 500 messages after the kills"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    echo "SIGKILLs: $kills"
    [ $kills = 10 ] || fail "only $kills SIGKILLs landed mid-sync"
    report 500
    ;;
uidvalidity)
    start_src
    wait_distinct $N 60 || fail "first sync incomplete"
    sleep 1
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    dovecot_stop
    # recreate the folder: new UIDVALIDITY, same messages plus two new ones
    old=$(grep -o '[0-9]*' "$MAILDIR/dovecot-uidlist" | sed -n 2p || true)
    rm -f "$MAILDIR"/dovecot-uidlist "$MAILDIR"/dovecot.index* "$MAILDIR"/dovecot-uidvalidity*
    sleep 1
    for i in 1 2; do
        f=$(msgs | sed -n "$((700 + i))p")
        cp "$f" "$MAILDIR/cur/$((1800000000 + i)).M${i}P2.test:2,"
    done
    [ "$(id -u)" = 0 ] && chown -R nobody: "$D/mail"
    dovecot_start
    before=$(lines)
    start_src
    wait_distinct $((N + 2)) 60 || fail "new messages after the resync missing"
    sleep 2
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    grep -q "UIDVALIDITY changed" src.log || fail "no UIDVALIDITY change seen (old $old)"
    after=$(lines)
    echo "records before the resync: $before, after: $after (2 new messages)"
    report $((N + 2))
    [ "$after" = $((N + 2)) ] || fail "$((after - N - 2)) duplicate events after the UIDVALIDITY change"
    ;;
auth)
    set +e
    "$B" run m.json "${S[@]}" --stage ingest --until-idle > src.out 2> src.log
    rc=$?
    set -e
    cat src.log | grep -i -m3 "refused\|fatal" || true
    [ $rc != 0 ] || fail "a wrong password ended with exit 0"
    grep -q 'refused the login of user .*alice' src.log || fail "no clear login message: $(tail -3 src.log)"
    grep -qi "fatal" src.log || fail "the stage did not go FATAL: $(tail -3 src.log)"
    if grep -rq "wrong-password-xyzzy" src.log src.out; then fail "the password appears in the log"; fi
    echo "wrong password: FATAL, clear message, password not logged (exit $rc)"
    ;;
outage)
    start_src
    wait_distinct $N 60 || fail "first sync incomplete"
    dovecot_stop
    echo "server stopped at $(date +%T)"
    for i in 1 2; do
        f=$(msgs | sed -n "$((650 + i))p")
        cp "$f" "$MAILDIR/cur/$((1900000000 + i)).M${i}P3.test:2,"
    done
    [ "$(id -u)" = 0 ] && chown -R nobody: "$D/mail"
    sleep 20
    kill -0 $SRC || fail "the source host died during the outage"
    dovecot_start
    t0=$SECONDS
    wait_distinct $((N + 2)) 90 || fail "no reconnect: $(distinct) of $((N + 2)) after the outage"
    grep -q "reconnecting" src.log || fail "no reconnect attempt was logged"
    echo "reconnect attempts logged during the outage: $(grep -c reconnecting src.log)"
    echo "server back; mail sent during the outage in the topic $((SECONDS - t0)) s later"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    report $((N + 2))
    ;;
starttls)
    start_src
    wait_distinct $N 60 || fail "$(distinct) of $N messages over STARTTLS"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    grep -q "Login: user=<alice>.*lip=127.0.0.1.*TLS" "$D/dovecot.log" || fail "no TLS login in the Dovecot log"
    echo "STARTTLS on port $IMAP_PORT: $N messages"
    report $N
    # TLS is verified: the system CAs do not know the test CA
    sed -i 's/"ca_file":"ca.crt",//' m.json
    set +e
    "$B" run m.json "${S[@]}" --stage ingest --until-idle > /dev/null 2> bad.log
    rc=$?
    set -e
    [ $rc != 0 ] || fail "an unverifiable server certificate was accepted"
    grep -q "check config.url and config.ca_file" bad.log || fail "no clear TLS message: $(tail -2 bad.log)"
    echo "server certificate from an unknown CA: FATAL, exit $rc"
    ;;
oauth)
    start_src
    wait_distinct $N 60 || fail "$(distinct) of $N messages with XOAUTH2"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    grep -q "token ok" oauth.log || fail "no refresh-token grant"
    grep -q "introspect True" oauth.log || fail "Dovecot did not see our access token"
    grep -qi "method=XOAUTH2\|method=OAUTHBEARER" "$D/dovecot.log" || fail "the login was not XOAUTH2/OAUTHBEARER"
    if grep -q "good-refresh-token\|acc-0" src.log; then fail "a token appears in the log"; fi
    echo "OAuth: $(grep -c 'token ok' oauth.log) token grant(s), login $(grep -o 'method=[A-Z0-9]*' "$D/dovecot.log" | sort -u | tr '\n' ' ')"
    report $N
    # a revoked refresh token: FATAL with a clear message
    echo revoked > secrets/imap_refresh_token
    set +e
    "$B" run m.json "${S[@]}" --stage ingest --until-idle > /dev/null 2> bad.log
    rc=$?
    set -e
    [ $rc != 0 ] || fail "a revoked refresh token ended with exit 0"
    grep -q "invalid_grant.*make a new refresh token" bad.log || fail "no clear message: $(tail -2 bad.log)"
    echo "revoked refresh token: FATAL (invalid_grant), exit $rc"
    ;;
big)
    start_src
    wait_distinct $N 60 || fail "$(distinct) of $N messages with a 2.4 MB one among them"
    kill -TERM $SRC; wait $SRC 2>/dev/null || true
    report $N
    python3 - <<'P' || fail "the big message's claim check"
import hashlib, json
big = [json.loads(r["value"]) for r in map(json.loads, open("out.jsonl"))
       if "long plain text" in json.loads(r["value"])["subject"]]
assert big, "no record of the big message"
rec = big[0]
a = rec["archive"]
assert a["archive_url"].startswith("file://") and a["size"] > 2_400_000, a
obj = "archive/sha256/%s/%s" % (a["sha256"][:2], a["sha256"][2:])
data = open(obj, "rb").read()
assert hashlib.sha256(data).hexdigest() == a["sha256"] and len(data) == a["size"]
assert "text" in rec["truncated_fields"], rec["truncated_fields"]
assert len(json.dumps(rec)) < 500_000
print("big message: record of %d bytes with %s (%d bytes archived)"
      % (len(json.dumps(rec)), a["archive_url"], len(data)))
P
    ;;
skipkeys)
    # the keys of 3 of the messages, as mailbox-source gives them for the
    # same Maildir (the same keys: phase sync)
    mailbox_keys $N
    python3 - <<'P'
import json
keys = sorted({json.loads(l)["key"] for l in open("mb.jsonl") if l.strip()})
open("skip.keys", "w").write("".join(k + "\n" for k in keys[:3]))
P
    "$B" run m.json "${S[@]}" --stage ingest --until-idle > /dev/null 2>> src.log ||
        fail "imap-source failed"
    wait_distinct $((N - 3)) 60 || fail "$(distinct) of $((N - 3)) messages"
    sleep 1 # the sink has all there is
    [ "$(distinct)" = $((N - 3)) ] || fail "$(distinct) messages in the topic, not $((N - 3))"
    python3 - <<'P' || fail "a listed key was emitted"
import json
skip = set(open("skip.keys").read().split())
got = {json.loads(l)["key"] for l in open("out.jsonl") if l.strip()}
assert len(skip) == 3 and not (skip & got), skip & got
P
    grep -q '3 message key(s) in [^ ]*skip.keys are not emitted' src.log ||
        fail "no line saying the listed keys are not emitted"
    echo "skip_keys_file: 3 listed keys not emitted, the other $((N - 3)) emitted"
    report $((N - 3))
    # a line that is not a key: the start fails, naming the line
    echo not-a-key >> skip.keys
    set +e
    "$B" run m.json "${S[@]}" --stage ingest --until-idle > /dev/null 2> bad.log
    rc=$?
    set -e
    [ $rc != 0 ] || fail "a skip_keys_file line that is not a key was accepted"
    grep -q 'config.skip_keys_file: [^ ]*skip.keys line 4 is not an idempotency key' bad.log ||
        fail "no clear message: $(tail -2 bad.log)"
    echo "a line that is not a key: FATAL naming line 4, exit $rc"
    ;;
*) fail "unknown phase $PHASE" ;;
esac
kill -TERM $SINK; wait $SINK 2>/dev/null || true
check_unseen
echo "ok: imap $PHASE"
