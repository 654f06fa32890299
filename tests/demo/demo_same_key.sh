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
