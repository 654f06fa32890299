#!/usr/bin/env bash
# gmail-source end to end through the host, against the fake Gmail:
#  1. `careerops auth gmail` (scripted browser) makes the sealed token;
#  2. 250 messages over 3 pages; the source's host is killed with SIGKILL
#     once the first page's position is stored (between pages) and
#     restarted: every message arrives, none twice;
#  3. 20 new messages are picked up through history.list;
#  4. the history id expires (404): a full resync emits zero duplicates;
#  5. a revoked refresh token (invalid_grant) stops the stage, FATAL.
# A standalone broker and a mock-sink stage on raw_inbox_stream; keys counted.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=netns_reexec.sh
. "$HERE/netns_reexec.sh"
echo "network namespace with loopback only: ${GMAIL_IN_NETNS:-no}"
# shellcheck source=../../../tests/integration/lib.sh
. "${CAREEROPS_SOURCE_ROOT:?run through meson test}/tests/integration/lib.sh"
# shellcheck source=gmail_lib.sh
. "$HERE/gmail_lib.sh"
if ! "$B" plugins list 2>/dev/null | grep -q mock-sink; then
    echo "SKIP: mock-sink is not built (-Dplugins=...,mock)"; exit 77
fi

start_fake_gmail --gmail-messages 250 --gmail-get-delay-ms 25
counts() { python3 -c 'import json,sys,urllib.request
r = urllib.request.Request(sys.argv[1] + "/_fake/gmail/" + sys.argv[2], method="POST" if sys.argv[2] != "counts" else "GET")
print(json.dumps(json.load(urllib.request.urlopen(r, timeout=10))))' "$FURL" "$1"; }
count_of() { counts counts | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$1"; }

auth_secrets "$FURL"

cat > m.json <<J
{"pipeline":"gmail-e2e","kafka":{"bootstrap.servers":"embedded"},
 "state":"file:state.json","secrets_dir":"secrets",
 "stages":[
  {"name":"ingest","plugin":"gmail-source","output":"raw_inbox_stream",
   "commit_interval_ms":100,
   "config":{"api_base":"$FURL/gmail/v1","token_url":"$FURL/token",
             "refresh_token_file":"token.sealed","once":true,
             "max_results":100,"poll_interval_ms":1000}},
  {"name":"store","plugin":"mock-sink","input":"raw_inbox_stream",
   "config":{"path":"out.jsonl","headers":true}}]}
J
# every URL this test configures is loopback
python3 - <<'P' || fail "a configured URL is not loopback"
import json, urllib.parse
m = json.load(open("m.json"))
for s in m["stages"]:
    for k, v in s["config"].items():
        if isinstance(v, str) and "://" in v:
            h = urllib.parse.urlparse(v).hostname
            assert h in ("127.0.0.1", "localhost", "::1"), (k, v)
P
start_broker m.json
S=(--set "kafka.bootstrap.servers=$BS")
"$B" run m.json "${S[@]}" --stage store 2> sink.log & SINK=$!; PIDS+=("$SINK")

keys() { [ -f out.jsonl ] && distinct_keys out.jsonl || echo 0; }
lines() { total_lines out.jsonl; }

# 2. full sync, SIGKILL once the first page's position is stored
"$B" run m.json "${S[@]}" --stage ingest --until-idle 2> src1.log & SRC=$!
PIDS+=("$SRC")
end=$((SECONDS + 120))
while [ $SECONDS -lt $end ] && kill -0 $SRC 2>/dev/null &&
      ! grep -q 'p100' state.json 2>/dev/null; do sleep 0.005; done
kill -9 $SRC 2>/dev/null || fail "the source ended before its first page was stored"
wait $SRC 2>/dev/null || true
GETS_AT_KILL=$(count_of get)
echo "SIGKILL between pages: position p100 stored, $GETS_AT_KILL messages fetched, $(lines) records in the topic"
"$B" run m.json "${S[@]}" --stage ingest --until-idle 2> src2.log ||
    fail "source did not finish: $(tail -3 src2.log)"
wait_keys out.jsonl 250 60 || fail "$(keys) of 250 messages in the topic"
sleep 1
N1=$(lines)
DUP1=$((N1 - 250))
echo "full sync: 250 messages, $N1 records, $DUP1 duplicates"
# a duplicate could only come from a page-2 message fetched before the kill
[ "$DUP1" -le $((GETS_AT_KILL > 100 ? GETS_AT_KILL - 100 : 0)) ] ||
    fail "$DUP1 duplicates, more than the $((GETS_AT_KILL - 100)) messages in flight at the kill"

# 3. 20 new messages through history
counts "add?n=20" > /dev/null
"$B" run m.json "${S[@]}" --stage ingest --until-idle 2> src3.log ||
    fail "history run failed: $(tail -3 src3.log)"
wait_keys out.jsonl 270 60 || fail "$(keys) of 270 messages after the history sync"
sleep 1
[ "$(count_of history)" -ge 1 ] || fail "history.list was not used"
N2=$(lines)
[ $((N2 - N1)) = 20 ] || fail "history sync wrote $((N2 - N1)) records, expected 20"
echo "history sync: 20 new messages, 20 records"

# 4. history too old -> full resync, zero duplicates
counts expire-history > /dev/null
counts "add?n=5" > /dev/null
"$B" run m.json "${S[@]}" --stage ingest --until-idle 2> src4.log ||
    fail "resync run failed: $(tail -3 src4.log)"
wait_keys out.jsonl 275 60 || fail "$(keys) of 275 messages after the resync"
sleep 1
N3=$(lines)
[ $((N3 - N2)) = 5 ] || fail "the resync wrote $((N3 - N2)) records, expected the 5 new ones"
grep -q "too old" src4.log || fail "no resync in the log"
# 5. a revoked refresh token stops the stage (FATAL) with the re-auth hint
counts revoke > /dev/null
if "$B" run m.json "${S[@]}" --stage ingest --until-idle 2> src5.log; then
    fail "the source ran with a revoked refresh token"
fi
grep -q 'run `careerops auth gmail` again' src5.log ||
    fail "no re-auth hint: $(tail -3 src5.log)"
echo "revoked token: stage FATAL with the re-auth hint"
kill -TERM $SINK; wait $SINK || true
python3 - <<'P'
import json
recs = [json.loads(l) for l in open("out.jsonl") if l.strip()]
ids = {}
for r in recs:
    v = json.loads(r["value"])
    assert v["schema"] == "careerops.email.v1"
    assert v["key"] == r["key"]
    assert v["source"]["kind"] == "gmail"
    ids.setdefault(r["key"], set()).add(v["source"]["gmail_id"])
assert all(len(s) == 1 for s in ids.values()), "one key for two Gmail ids"
print("records: %d, distinct messages: %d" % (len(recs), len(ids)))
P
echo "ok: gmail-source end to end (SIGKILL between pages, history, 404 resync)"
