#!/usr/bin/env bash
# SIGTERM (or Ctrl-C) while the demo reads a mailbox: demo.sh says at once
# that it is stopping, forwards the signal, a second signal stops the
# pipeline at once, and it exits 143 (130 for INT) with a summary marked
# partial whose count is the true one (the rows stored before the stop);
# a TERM as the run starts, and notifications a stopped run never showed.
. "$(dirname "$0")/lib.sh"
# 3000 distinct messages: the sample mailbox 75 times, Message-IDs made unique
python3 - "$SRC/datasets/sample-mailbox/sample.mbox" "$T/big.mbox" <<'PY'
import re, sys
src = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read()
with open(sys.argv[2], "w", encoding="utf-8", errors="surrogateescape") as out:
    for i in range(75):
        out.write(re.sub(r"(?im)^(Message-ID:\s*<)", rf"\g<1>r{i}.", src))
PY
schema=$(schema_of "$T/big.mbox")
SCHEMAS+=("$schema")
log=$SRC/.run/demo/$schema/run.log
rm -f "$log"
bash "$SRC/scripts/demo.sh" --json --keep-db --no-slack --fresh --mailbox "$T/big.mbox" \
    --account "$(account_of "$T/big.mbox")" >"$T/out.json" 2>"$T/err" &
pid=$!
# wait until the pipeline runs, then TERM, then TERM again: stop at once
for _ in $(seq 600); do
    grep -q '"msg":"pipeline [^ ]* running' "$log" 2>/dev/null && break
    sleep 0.1
done
sleep 2
kill -TERM "$pid"
await_err 50 "$pid" '^interrupted: stopping the pipeline'
grep -q '^interrupted: stopping the pipeline (finishing records in flight, up to [0-9]* s; Ctrl-C again stops at once)$' "$T/err" ||
    fail "no 'interrupted: stopping' message within 5 s: $(tail -n 5 "$T/err")"
kill -TERM "$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
[ "$rc" = 143 ] || fail "exit $rc after SIGTERM, expected 143: $(tail -n 5 "$T/err")"
rows=$(psqlq -c "SELECT count(*) FROM \"$schema\".emails")
python3 - "$T/out.json" "$rows" <<'PY' || fail "summary: $(head -c 600 "$T/out.json")"
import json, sys
o = json.load(open(sys.argv[1]))
rows = int(sys.argv[2])
assert o["interrupted"] == "TERM", o["interrupted"]
assert rows <= o["messages_read_run"] <= rows + o["dead_letters_new"], (o["messages_read_run"], rows)
assert o["messages_read_run"] < 3000, o["messages_read_run"]
PY
ok "SIGTERM twice: 'interrupted: stopping' at once, exit 143, partial summary of $rows stored messages"

# a TERM in the run's first moments (before postgres-sink has made its
# tables, with --fresh): exit 143 and a plain line, never a raw SQL error
# (a new-user trial got `relation "...emails" does not exist` and exit 1)
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/early.mbox"
schema=$(schema_of "$T/early.mbox")
SCHEMAS+=("$schema")
elog=$SRC/.run/demo/$schema/run.log
mkdir -p "$(dirname "$elog")"
rm -f "$elog"
: >"$T/err"
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --fresh --mailbox "$T/early.mbox" \
    --account "$(account_of "$T/early.mbox")" >"$T/early.out" 2>"$T/err" &
pid=$!
for _ in $(seq 1200); do
    [ -e "$elog" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
kill -TERM "$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
[ "$rc" = 143 ] || fail "exit $rc after an early SIGTERM, expected 143: $(tail -n 5 "$T/err")"
! grep -q 'does not exist\|^ERROR\|Traceback' "$T/err" "$T/early.out" ||
    fail "an early SIGTERM printed an error: $(grep 'does not exist\|^ERROR\|Traceback' "$T/err" "$T/early.out" | head -n 3)"
if grep -q '^interrupted: stopped before anything was stored; run again to read ' "$T/err"; then
    ok "SIGTERM as the run starts: exit 143, 'stopped before anything was stored'"
else
    grep -q '^interrupted: ' "$T/early.out" ||
        fail "an early SIGTERM printed neither line: $(tail -n 5 "$T/err")"
    ok "SIGTERM as the run starts (tables already made): exit 143, partial summary"
fi
# the next run shows every notification: the stopped one showed none
# (notifications.shown is written before the pipeline: a first run stopped
# before its summary made the next one say "all 17 were shown before",
# trial 17)
[ "$(cat "$SRC/.run/demo/$schema/notifications.shown" 2>/dev/null)" = 0 ] ||
    fail "notifications.shown after a first run's early stop: $(cat "$SRC/.run/demo/$schema/notifications.shown" 2>&1)"
demo "$T/early2.json" --mailbox "$T/early.mbox"
python3 - "$T/early2.json" <<'PY' || fail "after an early stop: $(head -c 400 "$T/early2.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["notifications"] > 0 and s["notifications_new"] == s["notifications"], (s["notifications_new"], s["notifications"])
PY
ok "the run after an early stop shows all $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["notifications_new"])' "$T/early2.json") notifications"

# notifications written by a run stopped after its pipeline and before its
# summary showed them (a trial stopped one there: the next run said "all 17
# were shown before") are shown by the next run. Each summary records where
# its showing ended (notifications.shown); a stop in that window leaves the
# record of the run before, which this case sets back to.
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/shown.mbox"
schema=$(schema_of "$T/shown.mbox")
SCHEMAS+=("$schema")
run=$SRC/.run/demo/$schema
demo "$T/s1.json" --fresh --mailbox "$T/shown.mbox"
n1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["notifications_new"])' "$T/s1.json")
[ "$n1" -gt 0 ] || fail "the sample mailbox gave no notifications: $(head -c 300 "$T/s1.json")"
[ "$(cat "$run/notifications.shown")" = "$(stat -c %s "$run/notifications.txt")" ] ||
    fail "notifications.shown ($(cat "$run/notifications.shown" 2>/dev/null)) is not the notifications file's size"
echo 0 >"$run/notifications.shown"
demo "$T/s2.json" --mailbox "$T/shown.mbox"
demo "$T/s3.json" --mailbox "$T/shown.mbox"
python3 - "$T/s2.json" "$T/s3.json" "$n1" <<'PY' || fail "notifications shown again: $(head -c 400 "$T/s2.json")"
import json, sys
s2, s3 = (json.load(open(p)) for p in sys.argv[1:3])
n1 = int(sys.argv[3])
assert s2["messages_new"] == 0, s2["messages_new"]
assert s2["notifications_new"] == n1, (s2["notifications_new"], n1)
assert s3["notifications_new"] == 0, s3["notifications_new"]
PY
ok "$n1 notifications not shown by a stopped run are shown by the next one, once"
