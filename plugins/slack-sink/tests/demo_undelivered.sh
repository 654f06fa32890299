#!/usr/bin/env bash
# A failed Slack run keeps the source's position (it used to clear the
# whole ingest state, so the next run read the mailbox again from the
# start): scripts/demo.sh on a copy of the sample mailbox with slack-sink
# posting to the standalone fake Slack, which answers the 5th post 404
# channel_not_found:
#  1. the demo exits 3 with 1 notification failed; the mbox position is
#     not deleted but moved back to the undelivered message's own offset
#     (scripts/source_rewind.py), which is before the end of the file;
#  2. the next run (Slack healthy) resumes at that offset (the source's
#     own log line), so it reads that message and those after it only,
#     posts exactly the undelivered notification and exits 0; a third run
#     reads nothing new and posts nothing.
. "${CAREEROPS_SOURCE_ROOT:?}/tests/demo/lib.sh"
FAKE=${CAREEROPS_BUILD_ROOT:?}/tests/fakes/co-fake-server
[ -x "$FAKE" ] || fail "co-fake-server not built"
FPID=""
trap 'if [ -n "$FPID" ]; then kill "$FPID" 2>/dev/null || true; fi; cleanup' EXIT

mkdir -p "$T/box" "$T/secrets"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/box/sample.mbox"
MB=$T/box/sample.mbox
S=$(schema_of "$MB")
SCHEMAS+=("$S")
HOOK=/services/T0/B0/UNDELIVERED
ok_='{"method":"POST","path":"'$HOOK'","status":200,"content_type":"text/plain","body":"ok"}'
echo "[$ok_,$ok_,$ok_,$ok_,{\"method\":\"POST\",\"path\":\"$HOOK\",\"status\":404,\"body\":\"channel_not_found\"}]" >"$T/script.json"
"$FAKE" --service slack --port-file "$T/slack.port" --log "$T/slack.jsonl" --script "$T/script.json" 2>"$T/fake.err" &
FPID=$!
for _ in $(seq 100); do [ -s "$T/slack.port" ] && break; sleep 0.1; done
[ -s "$T/slack.port" ] || fail "fake Slack did not start: $(cat "$T/fake.err")"
echo "http://127.0.0.1:$(cat "$T/slack.port")$HOOK" >"$T/secrets/slack_webhook"
export CAREEROPS_DEMO_SECRETS=$T/secrets

run() { # OUT: the demo with --json; its exit code in $RC
    RC=0
    bash "$SRC/scripts/demo.sh" --json --keep-db --mailbox "$MB" --account "$(account_of "$MB")" \
        >"$1" 2>"$1.err" || RC=$?
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
pos() { psqlq -c "SELECT convert_from(value, 'UTF8')::json->>'offset' FROM careerops_state
    WHERE ns = 'demo-$S/ingest' AND key = 'position'"; }

run "$T/r1.json"
[ "$RC" = 3 ] || fail "run 1 exited $RC, expected 3 (a notification not delivered): $(tail -5 "$T/r1.json.err")"
[ "$(field "$T/r1.json" notifications_failed)" = 1 ] ||
    fail "run 1: notifications_failed $(field "$T/r1.json" notifications_failed), expected 1"
[ "$(field "$T/r1.json" notifications_posted)" = 16 ] ||
    fail "run 1: notifications_posted $(field "$T/r1.json" notifications_posted), expected 16"
# the rewind is written to the run's log (next to its dead letters), not
# to the terminal (trial 53)
rlog=$(dirname "$(field "$T/r1.json" dead_letters_file)")/run.log
grep -q "source_rewind: demo-$S/ingest position" "$rlog" ||
    fail "run 1 did not rewind the position: $(grep -i 'rewind\|position' "$rlog" | tail -3)"
! grep -q "source_rewind" "$T/r1.json.err" || fail "run 1 printed the rewind on stderr: $(grep source_rewind "$T/r1.json.err")"
off=$(pos)
[ -n "$off" ] || fail "the ingest position was deleted after the failed run"
# the undelivered notification's message, from the tables
dlq=$(field "$T/r1.json" dead_letters_file)
key=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if (r.get("headers") or {}).get("careerops.error.stage") == "show": print(r["key"])' "$dlq" | tail -1)
want=$(psqlq -c "SELECT m.doc->'source'->>'offset' FROM \"$S\".events e JOIN \"$S\".emails m
    ON m.key = e.doc->'email'->>'key' WHERE e.key = '$key'")
[ -n "$want" ] || fail "no email found for the undelivered event $key"
[ "$off" = "$want" ] || fail "position is $off, expected the undelivered message's offset $want"
size=$(stat -c %s "$MB")
[ "$off" -lt "$size" ] || fail "position $off is not before the end ($size)"
ok "failed Slack run: exit 3, position moved back to byte $off (the undelivered message; file $size bytes), not cleared"

posts_before=$(grep -c "\"path\":\"$HOOK\"" "$T/slack.jsonl")
run "$T/r2.json"
[ "$RC" = 0 ] || fail "run 2 exited $RC: $(tail -5 "$T/r2.json.err")"
grep -q "resuming $MB at offset $off," "$SRC/.run/demo/$S/run.log" ||
    fail "run 2 did not resume at byte $off: $(grep '"stage":"ingest"' "$SRC/.run/demo/$S/run.log" | tail -2)"
new=$(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
print(sum(1 for i in range(int(sys.argv[2]), len(d)) if d.startswith(b"From ", i) and (i == 0 or d[i - 1] == 10)))' "$MB" "$off")
[ "$(field "$T/r2.json" notifications_posted)" = 1 ] ||
    fail "run 2 posted $(field "$T/r2.json" notifications_posted), expected exactly the undelivered one"
tail -n +$((posts_before + 1)) "$T/slack.jsonl" | grep -q "${key:0:12}" ||
    fail "the undelivered event ${key:0:12} was not posted by run 2"
# trial 70: the first run's failure was still listed once posted
[ "$(field "$T/r1.json" dead_letters)" = 1 ] || fail "run 1: dead_letters $(field "$T/r1.json" dead_letters), want 1"
[ "$(field "$T/r2.json" dead_letters)" = 0 ] ||
    fail "run 2 still lists $(field "$T/r2.json" dead_letters) dead letter(s) after posting the undelivered notification"
ok "next run: resumed at byte $off ($new of 40 messages read again), posted only the undelivered notification, exit 0, and no longer lists its dead letter"

run "$T/r3.json"
[ "$RC" = 0 ] || fail "run 3 exited $RC"
[ "$(field "$T/r3.json" messages_new)" = 0 ] && [ "$(field "$T/r3.json" notifications_posted)" = 0 ] ||
    fail "run 3 read $(field "$T/r3.json" messages_new) and posted $(field "$T/r3.json" notifications_posted)"
ok "third run: nothing read again, nothing posted"
