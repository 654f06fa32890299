#!/usr/bin/env bash
# SIGTERM (or Ctrl-C) while the demo reads a mailbox: demo.sh says at once
# that it is stopping, forwards the signal, a second signal stops the
# pipeline at once, and it exits 143 (130 for INT) with a summary marked
# partial whose count is the true one (the rows stored before the stop).
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
