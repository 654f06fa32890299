#!/usr/bin/env bash
# A mailbox keeps its identity: demo.sh keys its tables, reading position
# and "already shown" marks by the account (the owner's address found in the
# mail, or --account), not by the file's path. The same mbox copied to a new
# path gives 0 new notifications; a new export with 3 more messages (copies
# of interviews under new Message-IDs) stores 3 and repeats no interview;
# a reordered export is read again but repeats nothing;
# `--account other` starts fresh.
. "$(dirname "$0")/lib.sh"
owner="owner-$$-$RANDOM@example.test"
other="other-$$-$RANDOM"
acct_schema() { echo "acct_$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sha256sum | cut -c1-10)"; }
S=$(acct_schema "$owner")
SO=$(acct_schema "$other")
SCHEMAS+=("$S" "$SO")
# run_json OUT ARGS: demo.sh --json without lib.sh's per-path account
run_json() {
    local out=$1
    shift
    bash "$SRC/scripts/demo.sh" --json --keep-db "$@" >"$out" 2>"$out.err" ||
        fail "demo.sh $* exited $?: $(tail -n 5 "$out.err")"
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

mkdir -p "$T/first" "$T/copy" "$T/second" "$T/shuffled"
sed "s/jordan\.blake@example\.net/$owner/g" "$SRC/datasets/sample-mailbox/sample.mbox" >"$T/first/export.mbox"
[ "$(python3 "$SRC/scripts/mailbox_account.py" "$T/first/export.mbox")" = "$owner" ] ||
    fail "mailbox_account.py does not find $owner"
python3 - "$T/first/export.mbox" "$T/second/export.mbox" "$T/shuffled/export.mbox" \
    "$SRC/datasets/sample-mailbox/expected.csv" <<'P'
# second: the first export and 3 new interview emails (new Message-IDs)
# after it; shuffled: the second's messages in another order
import csv, mailbox, random, shutil, sys
first, second, shuffled, expected = sys.argv[1:]
interviews = [r["message_id"] for r in csv.DictReader(open(expected)) if r["label"] == "INTERVIEW"]
shutil.copy(first, second)
box = mailbox.mbox(second)
added = 0
for msg in list(mailbox.mbox(first)):
    if added < 3 and msg["Message-ID"].strip("<> ") in [m.strip("<> ") for m in interviews]:
        del msg["Message-ID"]
        msg["Message-ID"] = f"<again-{added}@example.test>"
        box.add(msg)
        added += 1
box.flush()
assert added == 3, added
msgs = list(mailbox.mbox(second))
random.Random(16).shuffle(msgs)
out = mailbox.mbox(shuffled)
for m in msgs:
    out.add(m)
out.flush()
P
cp "$T/first/export.mbox" "$T/copy/export.mbox"

run_json "$T/1.json" --mailbox "$T/first/export.mbox" --fresh
[ "$(field "$T/1.json" account)" = "$owner" ] || fail "account is not $owner: $(cat "$T/1.json")"
[ "$(field "$T/1.json" schema)" = "$S" ] || fail "schema is not $S"
[ "$(field "$T/1.json" notifications_new)" = 17 ] || fail "first export: $(field "$T/1.json" notifications_new) notifications, expected 17"
ok "first export: account $owner found in the mail, schema $S, 17 notifications"

run_json "$T/2.json" --mailbox "$T/copy/export.mbox"
n=$(field "$T/2.json" notifications_new) m=$(field "$T/2.json" messages_new)
[ "$n" = 0 ] && [ "$m" = 0 ] || fail "the same mbox at a new path: $n notifications, $m messages new (expected 0, 0)"
[ "$(field "$T/2.json" schema)" = "$S" ] || fail "the copy got another schema"
ok "the same mbox at a new path: 0 new notifications, 0 new messages"

run_json "$T/3.json" --mailbox "$T/second/export.mbox"
n=$(field "$T/3.json" notifications_new) m=$(field "$T/3.json" messages_new)
# the 3 are copies of interviews already announced (same company, same
# time): stored, but one interview is told once (plugins/notifier/README.md)
[ "$n" = 0 ] && [ "$m" = 3 ] || fail "a new export with 3 copies of interviews: $n notifications, $m messages new (expected 0, 3)"
[ "$(field "$T/3.json" emails_stored)" = 43 ] || fail "expected 43 emails stored"
ok "a new export with 3 more messages: stored, no repeated notification of their interviews"

run_json "$T/4.json" --mailbox "$T/shuffled/export.mbox"
n=$(field "$T/4.json" notifications_new)
[ "$n" = 0 ] || fail "a reordered export repeated $n notifications"
[ "$(field "$T/4.json" emails_stored)" = 43 ] || fail "a reordered export changed the row count"
# said as such (trial 81: "is another export than" the last mbox, though
# a Maildir was read since)
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$T/first/export.mbox" >"$T/5.out" 2>"$T/5.err" ||
    fail "demo.sh on the first export again: $(tail -n 5 "$T/5.err")"
grep -q "reading $T/first/export.mbox from its start: the position saved is that of another mbox file, $T/shuffled/export.mbox" "$T/5.err" ||
    fail "reading another export from its start is not said: $(grep account "$T/5.err")"
ok "a reordered export (read from the start): 0 new notifications, still 43 emails"

run_json "$T/5.json" --mailbox "$T/second/export.mbox" --account "$other"
[ "$(field "$T/5.json" schema)" = "$SO" ] || fail "--account $other did not get schema $SO"
n=$(field "$T/5.json" notifications_new)
# 20 events to notify, 3 of them copies of an interview: 17
[ "$n" = 17 ] || fail "--account $other: $n notifications, expected 17 (a fresh start; the 3 copies repeat interviews)"
ok "--account $other starts fresh: 17 notifications in schema $SO"
# trial 70: each spelling of one address made a new account
for spelled in " $other" "$other " "<$other>" "Someone <$other>"; do
    run_json "$T/6.json" --mailbox "$T/second/export.mbox" --account "$spelled"
    [ "$(field "$T/6.json" schema)" = "$SO" ] || fail "--account '$spelled' is schema $(field "$T/6.json" schema), not $SO"
    [ "$(field "$T/6.json" notifications_new)" = 0 ] || fail "--account '$spelled' notified again"
done
ok "--account ' $other', '<$other>' and 'Someone <$other>' are account $other"
