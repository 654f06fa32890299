#!/usr/bin/env bash
# mailbox-source end to end through the host: the 782-message mbox built
# from negatives/spamassassin goes into raw_inbox_stream (mock-sink writes
# the topic out). The source's host is killed with SIGKILL mid-way, twice,
# and restarted; at the end every message is in the topic, and a message
# read twice carries the same key. Prints the duplicate count.
# usage (meson): e2e_sigkill.sh MK_SPAM_MBOX
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_PLUGIN_PATH:?run through meson test}"
export CAREEROPS_PLUGIN_PATH CAREEROPS_LOOPBACK_ONLY=1
B="$CAREEROPS_BIN"
MK=$(realpath "$1")
if ! "$B" plugins list 2>/dev/null | grep -q mock-sink; then
    echo "SKIP: mock-sink is not built (-Dplugins=...,mock)"; exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/mailbox-e2e.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do
        if [ -n "$p" ]; then kill -9 "$p" 2>/dev/null || true; fi
    done
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

set +e; "$MK" spam.mbox > mk.out; rc=$?; set -e
[ $rc = 77 ] && { echo "SKIP: corpus missing"; exit 77; }
[ $rc = 0 ] || fail "cannot build the mbox"
read -r N _ < mk.out
[ "$N" = 782 ] || fail "built $N messages, expected 782"

cat > m.json <<'J'
{"pipeline":"mailbox-e2e","kafka":{"bootstrap.servers":"embedded"},
 "state":"file:state.json",
 "stages":[
  {"name":"ingest","plugin":"mailbox-source","output":"raw_inbox_stream",
   "commit_interval_ms":100,
   "config":{"path":"spam.mbox","batch":1}},
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
# the source position the host has stored (acknowledged), in mbox bytes
stored() { grep -o 'offset[^0-9]*[0-9]*' state.json 2>/dev/null |
           grep -o '[0-9]*$' || echo 0; }
size=$(stat -c %s spam.mbox)
kills=0
# kill the source host once its stored position passes 25 %, then (second
# life) 60 % of the file: both times with messages emitted but not yet
# acknowledged, which the restart must read again
for pct in 25 60; do
    "$B" run m.json "${S[@]}" --stage ingest --until-idle 2>> src.log & SRC=$!
    PIDS+=("$SRC")
    end=$((SECONDS + 120))
    while [ $SECONDS -lt $end ] && kill -0 $SRC 2>/dev/null &&
          [ "$(stored)" -lt $((size * pct / 100)) ]; do sleep 0.005; done
    at=$(stored)
    if [ "$at" -lt "$size" ] && kill -9 $SRC 2>/dev/null; then
        kills=$((kills + 1))
        echo "SIGKILL $kills of the source host: stored position $at of $size bytes, $(lines) records in the topic so far"
    fi
    wait $SRC 2>/dev/null || true
done
"$B" run m.json "${S[@]}" --stage ingest --until-idle 2>> src.log ||
    fail "source did not finish: $(tail -3 src.log)"
end=$((SECONDS + 120))
while [ $SECONDS -lt $end ]; do
    [ "$(lines)" -ge 782 ] && python3 - <<'P' && break
import json, sys
keys = {json.loads(l)["key"] for l in open("out.jsonl") if l.strip()}
sys.exit(0 if len(keys) >= 782 else 1)
P
    sleep 0.5
done
kill -TERM $SINK; wait $SINK || true
python3 - "$kills" <<'P'
import json, sys
kills = int(sys.argv[1])
recs = [json.loads(l) for l in open("out.jsonl") if l.strip()]
keys = {}
for r in recs:
    v = json.loads(r["value"])
    assert v["schema"] == "careerops.email.v1", v["schema"]
    assert v["key"] == r["key"], "record key differs from the document's key"
    assert r["headers"].get("careerops.email.hash") == r["key"], "hash header"
    keys.setdefault(r["key"], []).append(v["source"]["offset"])
# a repeated message has one key for one mbox offset: never two messages
for k, offs in keys.items():
    assert len(set(offs)) == 1, "key %s for different messages %s" % (k, offs)
print("records in raw_inbox_stream: %d, distinct messages: %d, duplicates "
      "(same key, re-read after SIGKILL): %d, SIGKILLs mid-way: %d"
      % (len(recs), len(keys), len(recs) - len(keys), kills))
if len(keys) != 782:
    sys.exit("FAIL: %d of 782 messages in the topic" % len(keys))
if kills < 1:
    sys.exit("FAIL: the source finished before it could be killed mid-way")
P
echo "ok: 782 messages present after SIGKILLs of mailbox-source"
