#!/usr/bin/env bash
# Messages that share their idempotency key (no Message-ID, the same sender,
# date and subject; DESIGN.md's key, unchanged) do not collapse silently
# (trial 6): the source logs both places at INFO, and the demo summary
# counts them. A second, reordered export of the same mailbox says what
# happened: "N this run: 0 new, N-1 already seen, 1 with the same key".
. "$(dirname "$0")/lib.sh"
mb=$T/export.mbox
dup='From x@y Mon Jan  1 00:00:00 2024
From: Recruiter <r@newco.example>
To: jordan.blake@example.net
Date: Mon, 10 Nov 2025 10:00:00 +0000
Subject: Quick question about your application
'
{ printf '%s\nHello Jordan, the first body.\n\n' "$dup"
  printf '%s\nHello Jordan, a second body.\n\n' "$dup"
  cat "$SRC/datasets/sample-mailbox/sample.mbox"; } >"$mb"
SCHEMAS+=("$(schema_of "$mb")")
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

demo "$T/1.json" --mailbox "$mb" --fresh
for f in messages_read_run:42 same_key_messages:1 messages_new:41 messages_seen_before:0 emails_stored:41; do
    [ "$(field "$T/1.json" "${f%%:*}")" = "${f##*:}" ] || fail "first run: ${f%%:*} is $(field "$T/1.json" "${f%%:*}"), want ${f##*:}"
done
log=$SRC/.run/demo/$(schema_of "$mb")/run.log
grep -q '"level":"info".*export.mbox: the messages at byte 0 and at byte [0-9]* have the same idempotency key' "$log" ||
    fail "no INFO line naming both messages in $log"
# one story per key (trial 66): the first body read is what is stored,
# not the later one (the notifier announces the first too)
S1=$(schema_of "$mb")
body=$(psqlq -c "SELECT doc::text FROM \"$S1\".emails WHERE subject = 'Quick question about your application'")
case "$body" in
*"the first body"*) ;;
*) fail "the stored email of the shared key is not the first one read: ${body:0:300}" ;;
esac
ok "two messages with one key: counted (same_key_messages 1), 41 emails stored, the first one's body"

# the same export in another order: read from the start, nothing new
python3 - "$mb" "$T/again.mbox" <<'P'
import mailbox, sys
msgs = list(mailbox.mbox(sys.argv[1]))
out = mailbox.mbox(sys.argv[2])
for m in reversed(msgs):
    out.add(m)
out.flush()
P
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$T/again.mbox" --account "$(account_of "$mb")" \
    >"$T/2.txt" 2>"$T/2.err" || fail "second export: $(tail -n 5 "$T/2.err")"
grep -Eq '^messages read +42 this run: 0 new, 41 already seen, 1 with the same key as another message \(stored as one\)$' "$T/2.txt" ||
    fail "the second export's summary: $(grep -A1 '^messages read' "$T/2.txt")"
grep -Eq '^emails stored +41 in PostgreSQL schema ' "$T/2.txt" || fail "no 'emails stored' line: $(cat "$T/2.txt")"
ok "a second export: 'messages read 42 this run: 0 new, 41 already seen, 1 with the same key as another message'"

# across runs (trial 67): an offer read by one run, then a message with its
# key (same sender, date, subject, Message-ID) but a rejection's body read
# by the next: the stored email and event stay the offer's, as the
# notifier announced the offer
sk=$T/sk.mbox
hdr='From hr@samecorp.example Mon Nov 10 10:00:00 2025
From: Dana Holt <hr@samecorp.example>
To: jordan.blake@example.net
Date: Mon, 10 Nov 2025 10:00:00 +0000
Subject: Your application at Samecorp
Message-ID: <same-67@samecorp.example>
'
printf '%s\nHi Jordan, we are delighted to offer you the Data Analyst position at Samecorp. Please reply by Friday, November 21, 2025 at 5:00 PM GMT.\n\n' "$hdr" >"$sk"
SCHEMAS+=("$(schema_of "$sk")")
S2=$(schema_of "$sk")
demo "$T/sk1.json" --mailbox "$sk" --fresh
printf '%s\nHi Jordan, unfortunately we have decided not to move forward with your application.\n\n' "$hdr" >>"$sk"
demo "$T/sk2.json" --mailbox "$sk"
ev=$(psqlq -c "SELECT event_type FROM \"$S2\".events WHERE subject = 'Your application at Samecorp'")
[ "$ev" = OFFER ] || fail "across runs: the stored event is '$ev', want OFFER (the first message read)"
case "$(psqlq -c "SELECT doc::text FROM \"$S2\".emails WHERE subject = 'Your application at Samecorp'")" in
*"delighted to offer"*) ;;
*) fail "across runs: the stored email is not the first one read" ;;
esac
grep -q '"level":"warn".*key [^ ]*: a different message with this key is stored already (raw SHA-256 [0-9a-f]\{12\}\.\.\., this one [0-9a-f]\{12\}\.\.\.): kept the stored email and event' "$SRC/.run/demo/$S2/run.log" ||
    fail "across runs: no WARN line for the key kept in $SRC/.run/demo/$S2/run.log: $(grep -c . "$SRC/.run/demo/$S2/run.log") lines"
ok "across runs: a later message with a stored one's key leaves the stored email and event (OFFER) as they were, with a WARN"
