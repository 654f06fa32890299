#!/usr/bin/env bash
# An Outlook-style cancel (a new-user trial): METHOD:REQUEST with STATUS:CANCELLED
# and a higher SEQUENCE, the same UID, subject and text as the invitation.
# The classifiers copy the email's calendar parts into the event, so the
# notifier tells it as a cancel of the invitation with that UID: exactly
# one "Interview with Grisedale Bank" notice, then one "Cancelled: ...",
# never a second interview ("when: no time read"); the summary leaves the
# interview out (postgres-sink cancels the slot).
#
# The notifier handles events in partition order: both messages are given
# Message-IDs whose idempotency keys (docs/schemas/email.v1.md) land in the
# same partition of the demo's 4 (librdkafka's default partitioner,
# CRC-32 of the key), so the invitation is handled first, as in the
# mailbox. The keys are checked against the stored ones after the run.
. "$(dirname "$0")/lib.sh"
mb=$T/outlook.mbox
python3 - "$mb" >"$T/keys.txt" <<'PY'
import hashlib, sys, zlib
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
me = "Sam Rivera <sam.rivera@example.net>"
frm_addr = "recruitment@grisedalebank.example"
subject = "Interview: Graduate Analyst - Grisedale Bank"
body = ("Dear Sam,\n\nThank you for your application to the Graduate Analyst programme at "
        "Grisedale Bank. We would like to invite you to an interview on Tuesday, "
        "15 December 2026 at 15:00 GMT (Microsoft Teams).\n\nKind regards,\n"
        "Grisedale Bank Recruitment\n")
def key(date, mid):
    s = (f"careerops.email.v1 key\nfrom:{frm_addr}\n"
         f"date:{date.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
         f"subject:{subject}\nmessage-id:{mid}\n")
    return hashlib.sha256(s.encode()).hexdigest()
def msg(date, mid, seq, status):
    e = EmailMessage()
    e["From"] = f"Grisedale Bank Recruitment <{frm_addr}>"
    e["To"], e["Subject"] = me, subject
    e["Message-ID"] = f"<{mid}>"
    e["Date"] = format_datetime(date)
    e.set_content(body)
    e.add_alternative(
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
        "VERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
        "ORGANIZER;CN=Grisedale Bank Recruitment:mailto:recruitment@grisedalebank.example\r\n"
        "DTSTART:20261215T150000Z\r\nDTEND:20261215T160000Z\r\nDTSTAMP:20261201T100000Z\r\n"
        "UID:040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6@grisedalebank.example\r\n"
        f"SEQUENCE:{seq}\r\nSTATUS:{status}\r\n"
        f"SUMMARY:{subject}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        subtype="calendar", params={"method": "REQUEST"})
    return e.as_string()
d1 = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
d2 = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)
k1 = key(d1, "inv-1@grisedalebank.example")
for n in range(1000):
    mid2 = f"upd-{n}@grisedalebank.example"
    k2 = key(d2, mid2)
    if zlib.crc32(k2.encode()) % 4 == zlib.crc32(k1.encode()) % 4:
        break
with open(sys.argv[1], "w") as out:
    for text in (msg(d1, "inv-1@grisedalebank.example", 0, "CONFIRMED"),
                 msg(d2, mid2, 3, "CANCELLED")):
        out.write("From MAILER-DAEMON Thu Dec  3 00:00:00 2026\n")
        out.write("\n".join(">" + l if l.startswith("From ") else l
                            for l in text.rstrip("\n").split("\n")) + "\n\n")
print(k1)
print(k2)
PY
S=$(schema_of "$mb")
SCHEMAS+=("$S")
export CAREEROPS_DEMO_NOW=2026-12-04T00:00:00Z
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$mb" --account "$(account_of "$mb")" \
    --timezone Europe/London --fresh >"$T/out.txt" 2>"$T/out.err" ||
    fail "demo.sh exited $?: $(tail -n 5 "$T/out.err")"
# the keys this test chose the partitions by are the stored ones
psqlq -c "SELECT key FROM \"$S\".emails ORDER BY key" >"$T/stored.txt"
[ "$(sort "$T/keys.txt")" = "$(cat "$T/stored.txt")" ] ||
    fail "the idempotency keys computed here ($(tr '\n' ' ' <"$T/keys.txt")) are not the stored ones ($(tr '\n' ' ' <"$T/stored.txt")): update key() above to docs/schemas/email.v1.md"
# the cancel's event carries the email's calendar part, compact
psqlq -c "SELECT doc->'email'->'calendar' FROM \"$S\".events WHERE key = '$(sed -n 2p "$T/keys.txt")'" >"$T/cal.json"
python3 - "$T/cal.json" <<'P' || fail "the cancel's event email.calendar: $(cat "$T/cal.json")"
import json, sys
cal = json.load(open(sys.argv[1]))
assert len(cal) == 1, cal
assert cal[0] == {"uid": "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6@grisedalebank.example",
                  "method": "REQUEST", "status": "CANCELLED", "sequence": 3,
                  "start": "2026-12-15T15:00:00Z", "end": "2026-12-15T16:00:00Z"}, cal
P
ok "the cancel's event carries its calendar part (uid, method, status, sequence, start, end)"
python3 - "$T/out.txt" "$SRC/.run/demo/$S/notifications.txt" <<'P' || fail "notifications: $(cat "$SRC/.run/demo/$S/notifications.txt")"
import sys
out = open(sys.argv[1]).read()
notes = open(sys.argv[2]).read()
assert notes.count("== Interview with Grisedale Bank") == 1, notes
assert notes.count("== Cancelled: Grisedale Bank interview Tue 15 Dec 2026, 15:00 ==") == 1, notes
assert notes.count("\n== ") + notes.startswith("== ") == 2, notes
# (the two notices have different keys, so console-sink may print them in
# either order: the notifications topic has 4 partitions too)
assert "no time read" not in notes, notes
summary = out.partition("CareerOps demo summary")[2]
assert "Grisedale" not in summary.split("Interviews (")[1].split("\n\n")[0], summary
P
ok "Outlook's STATUS:CANCELLED update: one invitation notice, one 'Cancelled:' notice, left out of the summary"
