#!/usr/bin/env bash
# Applications on PostgreSQL: the sample mailbox through the demo pipeline
# gives the expected applications and transitions (expected-*.csv, checked
# by hand against datasets/sample-mailbox/expected.csv); the same events
# inserted one transaction each in two shuffled orders, then replayed, give
# the same tables; a changed event label re-derives the application;
# `careerops applications --csv` opens with Python's csv module (one row per
# application) and `--ics` parses with libical (ARG 1: tests' ics_check)
# and lists exactly the upcoming interviews.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test}"
: "${CAREEROPS_SOURCE_ROOT:?run through meson test}"
ICS_CHECK=${1:?usage: applications_pg.sh ICS_CHECK}
if [ -z "${CAREEROPS_TEST_PG:-}" ]; then
    if [ "${CI:-}" = true ]; then echo "FAIL: CAREEROPS_TEST_PG is not set" >&2; exit 1; fi
    echo "SKIP: CAREEROPS_TEST_PG is not set (scripts/pg.sh start)" >&2
    exit 77
fi
SRC=$CAREEROPS_SOURCE_ROOT
HERE=$SRC/tests/applications
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-apps.XXXXXX")
S=apps_test_$$
P=apps-test-$$
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
q() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
    q -c "DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1 || true
    for t in careerops_state careerops_idempotency; do
        q -c "DELETE FROM $t WHERE ns LIKE '$P/%'" >/dev/null 2>&1 || true
    done
    rm -rf "$T"
}
trap cleanup EXIT
export CAREEROPS_LOOPBACK_ONLY=1
# the state store of the pipeline and of the command (libpq keywords work)
export CAREEROPS_STATE=$CAREEROPS_TEST_PG

mbox=$SRC/datasets/sample-mailbox/sample.mbox
[ -f "$mbox" ] || python3 "$SRC/datasets/sample-mailbox/generate.py" >/dev/null
(cd "$SRC/pipelines" &&
    CAREEROPS_MAILBOX=$mbox CAREEROPS_DEMO_SCHEMA=$S CAREEROPS_NOTIFY_OUT=$T/notif.txt \
        CAREEROPS_DEMO_DLQ=$T/dlq.jsonl \
        "$CAREEROPS_BIN" run demo.json --until-idle --set "pipeline=$P" 2>"$T/run.log") ||
    fail "the demo pipeline failed: $(tail -n 5 "$T/run.log")"
ok "sample mailbox stored in schema $S ($(q -c "SELECT count(*) FROM $S.events") events)"

# The expected rows (company, role, status, first/last email day, number of
# scheduled interviews) and transitions.
apps_csv() {
    echo "company,role,status,first_seen,last_event_at,interviews"
    q -F, -c "SELECT company, coalesce(role, ''), status,
        to_char(first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        to_char(last_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
        jsonb_array_length(interviews) FROM $S.applications ORDER BY company, role"
}
trans_csv() {
    echo "company,seq,from_status,to_status,event_type,message_id,email_date"
    q -F, -c "SELECT a.company, t.seq, coalesce(t.from_status, ''), t.to_status,
        t.event_type, t.email_message_id,
        to_char(t.email_date AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
        FROM $S.application_transitions t
        JOIN $S.applications a ON a.id = t.application_id ORDER BY 1, 2"
}
apps_csv >"$T/apps.csv"
diff -u "$HERE/expected-applications.csv" "$T/apps.csv" ||
    fail "applications differ from tests/applications/expected-applications.csv"
trans_csv >"$T/trans.csv"
diff -u "$HERE/expected-transitions.csv" "$T/trans.csv" ||
    fail "transitions differ from tests/applications/expected-transitions.csv"
ok "12 applications and $(($(wc -l <"$T/trans.csv") - 1)) transitions as expected"

# Every column of both tables but the bookkeeping ones.
snapshot() {
    q -c "SELECT id, company_key, company, role, status, first_seen,
        last_event_at, last_event_key, last_event_type, next_interview,
        interviews, thread_ids, event_keys FROM $S.applications ORDER BY id"
    q -c "SELECT application_id, seq, from_status, to_status, event_key,
        event_type, email_message_id, email_date
        FROM $S.application_transitions ORDER BY 1, 2"
}
snapshot >"$T/snap0"
# shuffled: one transaction per event, in an order given by a seed
q -c "CREATE TABLE $S.ev_copy AS SELECT * FROM $S.events"
replay() { # SEED MODE (insert | update)
    q -c "SELECT format(CASE WHEN '$2' = 'insert' THEN
          'INSERT INTO $S.events SELECT * FROM $S.ev_copy WHERE key = %L;'
        ELSE 'UPDATE $S.events e SET doc = c.doc, event_type = c.event_type
          FROM $S.ev_copy c WHERE e.key = c.key AND c.key = %L;' END, key)
        FROM $S.ev_copy ORDER BY md5(key || '$1')" >"$T/replay.sql"
    q -f "$T/replay.sql" >/dev/null
}
for seed in one two; do
    q -c "DELETE FROM $S.events" -c "DELETE FROM $S.application_transitions" \
        -c "DELETE FROM $S.applications"
    replay "$seed" insert
    snapshot >"$T/snap-$seed"
    cmp -s "$T/snap0" "$T/snap-$seed" || { diff "$T/snap0" "$T/snap-$seed" | head -20; fail "shuffled order '$seed' gave other tables"; }
done
ids_before=$(q -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM $S.application_transitions")
replay three update
snapshot >"$T/snap-replay"
cmp -s "$T/snap0" "$T/snap-replay" || fail "replaying the events changed the tables"
[ "$(q -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM $S.application_transitions")" = "$ids_before" ] ||
    fail "replaying the events rewrote transition rows (the log is append-only)"
ok "two shuffled orders (one transaction per event) and a replay give the same tables"
# In email-date order the log only grows: no row is deleted and written again.
q -c "DELETE FROM $S.events" -c "DELETE FROM $S.application_transitions" \
    -c "DELETE FROM $S.applications"
q -c "SELECT format('INSERT INTO $S.events SELECT * FROM $S.ev_copy WHERE key = %L;', key)
    FROM $S.ev_copy ORDER BY received_at, key" >"$T/inorder.sql"
q -f "$T/inorder.sql" >/dev/null
[ "$(q -c "SELECT max(id) - min(id) + 1 = count(*) FROM $S.application_transitions")" = t ] ||
    fail "mail in date order rewrote transition rows"
snapshot >"$T/snap-inorder"
cmp -s "$T/snap0" "$T/snap-inorder" || fail "mail in date order gave other tables"
ok "mail in date order appends to the log only"

# --csv: one row per application, the columns named in the header
"$CAREEROPS_BIN" applications --schema "$S" --csv >"$T/out.csv"
python3 - "$T/out.csv" <<'PY' || fail "--csv is not what Python's csv module expects"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 12, len(rows)
assert len({r["id"] for r in rows}) == 12
salt = [r for r in rows if r["company"] == "Saltmarsh Robotics"][0]
assert salt["status"] == "OFFER" and salt["interviews"] == "2", salt
assert all(r["status"] for r in rows)
PY
ok "--csv: 12 rows through Python's csv module"
"$CAREEROPS_BIN" applications --schema "$S" --status offer --json >"$T/out.json"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert sorted(x["company"] for x in a)==["Emberline Networks","Glasswing Analytics","Saltmarsh Robotics","Tidewater Payments"], a' "$T/out.json" ||
    fail "--status offer --json lists other applications"
"$CAREEROPS_BIN" applications --schema "$S" --now 2025-10-20T00:00:00Z >"$T/table.txt"
grep -q '^Tidewater Payments .*Thu 16 Oct 2025 17:00 (past)$' "$T/table.txt" ||
    fail "the table does not mark Tidewater's past interview: $(cat "$T/table.txt")"
ok "--json --status and the table"

# --ics on 20 Oct 2025: the interviews after that date of the applications
# still open (Stellwerk's of 27 Oct was followed by a rejection; Tidewater's
# of 16 Oct is past), with join and briefing links when known
lark=$(q -c "SELECT i->>'event_key' FROM $S.applications, jsonb_array_elements(interviews) i WHERE company = 'Larkspur Health'")
q -c "INSERT INTO $S.briefings (key, company, event_key, event_type, doc)
      VALUES ('b1', 'Larkspur Health', '$lark', 'INTERVIEW', '{}')"
"$CAREEROPS_BIN" applications --schema "$S" --ics --now 2025-10-20T00:00:00Z \
    --briefing-url 'http://127.0.0.1:8080/briefings/{key}' >"$T/out.ics"
"$ICS_CHECK" "$T/out.ics" | sort >"$T/ics.txt" || fail "libical does not parse --ics"
cat >"$T/ics.expected" <<EXP
20251021T200000Z|Interview: Larkspur Health - Senior Software Engineer||http://127.0.0.1:8080/briefings/$lark
20251023T180000Z|Interview: Glasswing Analytics - Data Platform Engineer|https://meet.google.com/gwa-4821-xyz|
20251030T170000Z|Interview: Emberline Networks - Staff Engineer|https://zoom.us/j/5559876543|
20251105T143000Z|Interview: Saltmarsh Robotics - Backend Engineer||
EXP
diff -u "$T/ics.expected" "$T/ics.txt" || fail "--ics lists other interviews"
# RFC 5545 3.1: lines of at most 75 octets, no continuation line of a
# single space, no fold right after a property name's colon; a DTEND: the
# invitation's own end (migration 8: Larkspur's DTEND 15:45 Central after
# 15:00, Saltmarsh's 13:30 Eastern after 09:30, Glasswing's an hour), one
# hour (the documented default) for Emberline's, which has no calendar part
python3 - "$T/out.ics" <<'PY' || fail "--ics is not folded per RFC 5545 3.1 or lacks DTEND"
import datetime, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), "not CRLF lines"
lines = raw[:-2].split(b"\r\n")
for l in lines:
    assert len(l) <= 75, (len(l), l)
    assert l.strip() != b"", "an empty or single-space line: %r" % l
    assert not (l[:1] not in b" \t" and l.endswith(b":")), "a fold after the colon: %r" % l
    l.decode("utf-8")  # a fold never splits a UTF-8 sequence
text = raw.replace(b"\r\n ", b"").decode("utf-8")
events = text.split("BEGIN:VEVENT")[1:]
assert len(events) == 4, len(events)
f = "%Y%m%dT%H%M%SZ"
want = {"20251021T200000Z": 45, "20251023T180000Z": 60, "20251030T170000Z": 60,
        "20251105T143000Z": 240}
for e in events:
    p = dict(l.split(":", 1) for l in e.split("\r\n") if ":" in l)
    start, end = (datetime.datetime.strptime(p[k], f) for k in ("DTSTART", "DTEND"))
    assert end - start == datetime.timedelta(minutes=want[p["DTSTART"]]), (start, end)
    assert p["UID"].endswith("@careerops") and len(p["UID"]) > 64, p["UID"]
PY
"$CAREEROPS_BIN" applications --schema "$S" --ics >"$T/now.ics" 2>"$T/ics-now.err" ||
    fail "applications --ics today: $(cat "$T/ics-now.err")"
"$ICS_CHECK" "$T/now.ics" >"$T/ics-now.txt" || fail "libical does not parse --ics"
[ ! -s "$T/ics-now.txt" ] || fail "--ics today lists interviews of 2025: $(cat "$T/ics-now.txt")"
# trial: with no upcoming interview the VCALENDAR held no component, which
# RFC 5545 3.4/3.6 does not allow (1*component): a VTIMEZONE of UTC, and a
# note on stderr
python3 - "$T/now.ics" <<'PY' || fail "--ics without interviews: $(cat "$T/now.ics")"
import sys
lines = open(sys.argv[1], "rb").read().decode().split("\r\n")
assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR", lines
comps = [l for l in lines[1:-2] if l.startswith("BEGIN:")]
assert comps == ["BEGIN:VTIMEZONE", "BEGIN:STANDARD"], comps
assert "TZID:UTC" in lines and "TZOFFSETTO:+0000" in lines, lines
PY
grep -q "no upcoming interviews" "$T/ics-now.err" || fail "--ics without interviews: no note: $(cat "$T/ics-now.err")"
ok "--ics: the 4 upcoming interviews on 20 Oct 2025, none today (a calendar with a VTIMEZONE only)"

# A corrected label (what `careerops relabel` stores) re-derives the
# application in the same statement.
q -c "UPDATE $S.events SET event_type = 'OFFER',
      doc = jsonb_set(doc, '{event_type}', '\"OFFER\"') WHERE key = '$lark'"
[ "$(q -c "SELECT status FROM $S.applications WHERE company = 'Larkspur Health'")" = OFFER ] ||
    fail "relabelling Larkspur's interview as an offer did not move the application to OFFER"
ok "a relabel moves the application's status"

# The user's own outcome: ACCEPTED after the offer, logged as a DECISION
# transition; NONE forgets it again.
tide=$(q -c "SELECT id FROM $S.applications WHERE company = 'Tidewater Payments'")
"$CAREEROPS_BIN" applications --schema "$S" --decide "$tide=accepted" --now 2025-11-05T10:00:00Z >"$T/dec" ||
    fail "--decide $tide=accepted failed"
grep -q "Tidewater Payments): ACCEPTED" "$T/dec" || fail "--decide printed: $(cat "$T/dec")"
[ "$(q -c "SELECT from_status || '>' || to_status || ' ' || event_type FROM $S.application_transitions
      WHERE application_id = '$tide' ORDER BY seq DESC LIMIT 1")" = "OFFER>ACCEPTED DECISION" ] ||
    fail "the decision is not the last transition of Tidewater's application"
# --json has the next interview (as the table and --csv) and the decision
"$CAREEROPS_BIN" applications --schema "$S" --json --now 2025-10-20T00:00:00Z >"$T/dec.json"
"$CAREEROPS_BIN" applications --schema "$S" --csv --now 2025-10-20T00:00:00Z >"$T/dec.csv"
python3 - "$T/dec.json" "$T/dec.csv" "$tide" <<'PY' || fail "--json next_interview/decision: $(head -c 600 "$T/dec.json")"
import csv, json, sys
apps = {a["id"]: a for a in json.load(open(sys.argv[1]))}
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(rows) == len(apps)
for r in rows:
    a = apps[r["id"]]
    assert (a["next_interview"] or "") == r["next_interview"], (a, r)
    past = a["next_interview_past"]
    assert ("" if past is None else str(past).lower()) == r["next_interview_past"], (a, r)
t = apps[sys.argv[3]]
assert t["decision"] == {"status": "ACCEPTED", "at": "2025-11-05T10:00:00Z"}, t["decision"]
assert t["next_interview"] == "2025-10-16T17:00:00Z" and t["next_interview_past"] is True, t
assert all(a["decision"] is None for i, a in apps.items() if i != sys.argv[3])
PY
# trial: --decide with --csv (or another listing option) recorded the
# decision and ignored the option; refused now, nothing recorded
for opt in --csv --json --ics "--status offer" "--since 2025-10-01" "--briefing-url x"; do
    rc=0; "$CAREEROPS_BIN" applications --schema "$S" --decide "$tide=declined" $opt >"$T/out" 2>"$T/err" || rc=$?
    [ "$rc" = 2 ] && grep -q "^careerops applications: --decide does not go with ${opt%% *}" "$T/err" && [ ! -s "$T/out" ] ||
        fail "--decide with $opt: exit $rc: $(cat "$T/err" "$T/out")"
done
[ "$(q -c "SELECT status FROM $S.applications WHERE id = '$tide'")" = ACCEPTED ] ||
    fail "a refused --decide ... --csv changed the decision"
# trial: a decision dated before the application's first email came first
# and left one transition (WITHDRAWN|DECISION|1900-01-01); refused now
ntr=$(q -c "SELECT count(*) FROM $S.application_transitions WHERE application_id = '$tide'")
first=$(q -c "SELECT to_char(first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM $S.applications WHERE id = '$tide'")
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --decide "$tide=withdrawn" --now 1900-01-01T00:00:00Z 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "is before the first email of application $tide (Tidewater Payments), at $first" "$T/err" ||
    fail "--decide --now 1900-01-01: exit $rc: $(cat "$T/err")"
[ "$(q -c "SELECT count(*) || ':' || status FROM $S.application_transitions t JOIN $S.applications a ON a.id = t.application_id WHERE a.id = '$tide' GROUP BY status")" = "$ntr:ACCEPTED" ] ||
    fail "a refused early decision changed the history: $(q -c "SELECT * FROM $S.application_transitions WHERE application_id = '$tide'")"
"$CAREEROPS_BIN" applications --schema "$S" --decide "$tide=none" >/dev/null
[ "$(q -c "SELECT status FROM $S.applications WHERE id = '$tide'")" = OFFER ] ||
    fail "--decide ID=none did not restore OFFER"
ok "--decide records and forgets the user's outcome; --json shows it and the next interview; not with a listing option, nor before the first email"

# trial 12: --decide wanted the whole id in lower case; it takes a prefix
# of 8+ characters in any case, as relabel does, and lists the candidates
# of an ambiguous one (a decoy application sharing Tidewater's first 8)
up=$(printf '%s' "${tide:0:10}" | tr a-f A-F)
"$CAREEROPS_BIN" applications --schema "$S" --decide "$up=declined" --now 2025-11-05T10:00:00Z >"$T/dec" ||
    fail "--decide $up=declined (an upper-case prefix) failed"
grep -q "^$tide (Tidewater Payments): DECLINED" "$T/dec" || fail "--decide $up printed: $(cat "$T/dec")"
decoy=${tide:0:8}$([ "${tide:8:8}" = ffffffff ] && echo eeeeeeee || echo ffffffff)
q -c "INSERT INTO $S.applications (id, company_key, company, status)
      VALUES ('$decoy', 'decoy', 'Decoy Ltd', 'APPLIED')" >/dev/null
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --decide "${tide:0:8}=accepted" 2>"$T/err" || rc=$?
q -c "DELETE FROM $S.applications WHERE id = '$decoy'" >/dev/null
[ "$rc" = 2 ] || fail "--decide of an ambiguous prefix: exit $rc, want 2"
grep -q "prefix '${tide:0:8}' matches 2 ids in $S.applications: .*$tide" "$T/err" && grep -q "$decoy" "$T/err" &&
    grep -q "give more characters" "$T/err" || fail "--decide ambiguous prefix: $(cat "$T/err")"
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --decide "${tide:0:7}=accepted" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "no application with id '${tide:0:7}'.*8+ characters" "$T/err" ||
    fail "--decide of a 7-character prefix: exit $rc: $(cat "$T/err")"
"$CAREEROPS_BIN" applications --schema "$S" --decide "$tide=none" >/dev/null
[ "$(q -c "SELECT status FROM $S.applications WHERE id = '$tide'")" = OFFER ] ||
    fail "--decide ID=none after the prefix did not restore OFFER"
ok "--decide takes an 8+ character prefix in any case; an ambiguous one lists the ids"

# Deleting an event re-derives its application too.
q -c "DELETE FROM $S.events WHERE key = '$lark'"
[ "$(q -c "SELECT status FROM $S.applications WHERE company = 'Larkspur Health'")" = ASSESSMENT ] ||
    fail "deleting Larkspur's interview did not move the application back to ASSESSMENT"
ok "a deleted event re-derives its application"

# bad input names the fix
if "$CAREEROPS_BIN" applications --schema "$S" --status BOGUS 2>"$T/err"; then fail "--status BOGUS accepted"; fi
grep -q "PROSPECT, APPLIED" "$T/err" || fail "--status BOGUS: $(cat "$T/err")"
rc=0; "$CAREEROPS_BIN" applications --schema nosuch_schema 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "a missing schema: exit $rc, want 2 (bad input)"
grep -q "no applications table: give --schema one that has (here: .*$S" "$T/err" || fail "missing schema: $(cat "$T/err")"
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --decide nosuchid=ACCEPTED 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "--decide of an unknown id: exit $rc, want 2 (bad input)"
grep -q "no application with id 'nosuchid'" "$T/err" || fail "--decide unknown id: $(cat "$T/err")"
# trial: a time without a zone and T24:00:00Z were taken (relabel refuses
# both: one parser)
for d in 2025-13-45 2025-02-30 2025-1-5 2025-11-05T00:00:00 2025-11-05T24:00:00Z; do
    if "$CAREEROPS_BIN" applications --schema "$S" --since "$d" 2>"$T/err"; then fail "--since $d accepted"; fi
    grep -q "^careerops applications: --since '$d' is not a valid date; use YYYY-MM-DD" "$T/err" &&
        ! grep -qi "ERROR:" "$T/err" || fail "--since $d: $(cat "$T/err")"
done
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --now 2025-11-05T24:00:00Z 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "^careerops applications: --now '2025-11-05T24:00:00Z' is not a valid time" "$T/err" ||
    fail "--now T24:00:00Z: exit $rc: $(cat "$T/err")"
# trial: --timezone "" was taken (as UTC) while --schema '' is refused
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --timezone '' >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "^careerops applications: --timezone '' names no zone" "$T/err" && [ ! -s "$T/out" ] ||
    fail "--timezone '': exit $rc: $(cat "$T/err")"
if "$CAREEROPS_BIN" relabel "$lark" OFFER --conninfo "$CAREEROPS_TEST_PG" --schema nosuch_schema --no-emit 2>"$T/err"; then
    fail "relabel --schema nosuch_schema gave success"
fi
grep -q "schema 'nosuch_schema' does not exist in this database; choose one with --schema (schemas with an events table: .*$S" "$T/err" &&
    ! grep -q "ERROR:" "$T/err" || fail "relabel --schema nosuch_schema: $(cat "$T/err")"
# PostgreSQL down: the message says how to start the demo's (as relabel
# and serve do), exit 1
rc=0; "$CAREEROPS_BIN" applications --dsn "postgresql://postgres@127.0.0.1:1/nodb" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "PostgreSQL down: exit $rc, want 1"
grep -q "cannot connect to PostgreSQL (.*): start it (.*bash scripts/pg.sh start" "$T/err" ||
    fail "PostgreSQL down: $(cat "$T/err")"
# trial 57: a running server without the database was told to start it
nodb=$(printf '%s' "$CAREEROPS_TEST_PG" | sed 's/dbname=[^ ]*/dbname=co_no_such_db/')
for cmd in "applications --dsn" "relabel --list --conninfo"; do
    rc=0
    # shellcheck disable=SC2086
    "$CAREEROPS_BIN" $cmd "$nodb" 2>"$T/err" || rc=$?
    [ "$rc" = 1 ] && grep -q 'database "co_no_such_db" does not exist.*the server runs but has no such database: create it' "$T/err" ||
        fail "$cmd of a missing database: exit $rc $(cat "$T/err")"
done
ok "bad input"

# Interviews (docs/applications.md, "Interviews"): one per time and
# application; a later email that moves the time replaces the slot.
# mail KEY COMPANY EMAIL_DATE SCHEDULED SUBJECT TEXT THREAD [CALENDAR JSON
# [EVENT TYPE]] (an empty COMPANY or SCHEDULED is NULL)
mail() {
    local cal=${8:-[]} type=${9:-INTERVIEW}
    q -v key="$1" -v co="$2" -v d="$3" -v at="$4" -v subj="$5" -v txt="$6" -v th="$7" -v cal="$cal" \
        -v type="$type" <<'SQL'
INSERT INTO :"S".emails (key, message_id, thread_id, subject, received_at, doc)
VALUES (:'key', '<' || :'key' || '@t>', :'th', :'subj', :'d',
  jsonb_build_object('subject', :'subj', 'text', :'txt', 'thread_id', :'th',
   'calendar', :'cal'::jsonb));
INSERT INTO :"S".events (key, event_type, company, scheduled_at, subject, received_at, doc)
VALUES (:'key', :'type', nullif(:'co', ''), nullif(:'at', '')::timestamptz, :'subj', :'d',
  jsonb_build_object('event_type', :'type', 'email',
   jsonb_build_object('key', :'key', 'subject', :'subj', 'date', :'d', 'thread_id', :'th')));
SQL
}
q() { psql "$CAREEROPS_TEST_PG" -XqtA -v ON_ERROR_STOP=1 -v S="$S" "$@"; }
# "at|superseded_by|also" per interview of a company
ivs() {
    q -c "SELECT string_agg(concat_ws('|', i->>'at', coalesce(i->>'superseded_by', '-'),
            coalesce(i->>'also', '-')), ' ' ORDER BY i->>'at')
          FROM $S.applications, jsonb_array_elements(interviews) i WHERE company = '$1'"
}
# 1. the trial's reschedule by text (Mountain Time: 2:00 PM = 21:00Z)
mail sr1 'Summit Ridge Analytics' 2026-12-01T16:00:00Z 2026-12-08T21:00:00Z \
    'Interview invitation: Summit Ridge Analytics' \
    'We would like to invite you to an interview on Tuesday, December 8 at 2:00 PM Mountain Time.' '<sr1@t>'
mail sr2 'Summit Ridge Analytics' 2026-12-03T16:00:00Z 2026-12-09T17:30:00Z \
    'Interview time change: Summit Ridge Analytics' \
    $'Sorry, we need to move your interview.\nPreviously: Tuesday, December 8 at 2:00 PM Mountain Time\nNew time: Wednesday, December 9 at 10:30 AM Mountain Time' '<sr2@t>'
[ "$(ivs 'Summit Ridge Analytics')" = "2026-12-08T21:00:00Z|sr2|- 2026-12-09T17:30:00Z|-|-" ] ||
    fail "the rescheduled slot is not replaced: $(ivs 'Summit Ridge Analytics')"
[ "$(q -c "SELECT next_interview AT TIME ZONE 'UTC' FROM $S.applications WHERE company = 'Summit Ridge Analytics'")" = "2026-12-09 17:30:00" ] ||
    fail "next_interview of Summit Ridge is not the new time"
# the moved slot keeps the UID of the first one in --ics (trial 78: a
# calendar importing the file again kept both)
"$CAREEROPS_BIN" applications --schema "$S" --ics --now 2026-12-04T00:00:00Z >"$T/moved.ics" ||
    fail "--ics with a moved interview"
python3 - "$T/moved.ics" <<'PY' || fail "the moved interview's UID: $(cat "$T/moved.ics")"
import re, sys
evs = open(sys.argv[1]).read().split("BEGIN:VEVENT")[1:]
sr = [e for e in evs if "Summit Ridge" in e]
assert len(sr) == 1, sr
assert re.search(r"^UID:sr1@careerops\r?$", sr[0], re.M), sr[0]
assert "DTSTART:20261209T173000Z" in sr[0], sr[0]
PY
# 2. the user's own reply confirming the time above a quoted invitation
#    (whose quoted text says "new time": quoted text is not read)
mail hb1 Harborline 2026-12-02T09:00:00Z 2026-12-10T16:00:00Z 'Interview: Harborline' \
    'Please join us on Thursday, December 10 at 10:00 AM Central.' '<hb1@t>'
mail hb2 Harborline 2026-12-02T10:00:00Z 2026-12-10T16:00:00Z 'Re: Interview: Harborline' \
    $'Thanks, that works for me. See you then!\n\nOn Wed, Dec 2, 2026 at 3:00 AM Harborline <jobs@harborline.example> wrote:\n> Please join us at the new time, Thursday, December 10 at 10:00 AM Central.' '<hb1@t>'
[ "$(ivs Harborline)" = '2026-12-10T16:00:00Z|-|["hb2"]' ] ||
    fail "the own reply made a second interview: $(ivs Harborline)"
#    ... and one that names no company, outside the thread (trial 81: the
#    dashboard listed it as a second interview at that time)
mail hb3 '' 2026-12-02T11:00:00Z 2026-12-10T16:00:00Z 'Re: next step' \
    'Thursday at 10 AM Central works great.' '<hb3@t>'
# 3. a calendar update: same UID, higher SEQUENCE, another time
cal() { printf '[{"uid": "%s", "method": "%s", "sequence": %s, "start": "%s"}]' "$@"; }
mail nw1 'Northwind Labs' 2026-12-01T08:00:00Z 2026-12-07T14:00:00Z 'Invitation: Technical interview' \
    'You have been invited.' '<nw1@t>' "$(cal nw@cal REQUEST 0 2026-12-07T14:00:00Z)"
mail nw2 'Northwind Labs' 2026-12-02T08:00:00Z 2026-12-08T15:00:00Z 'Updated invitation: Technical interview' \
    'This event has been changed.' '<nw2@t>' "$(cal nw@cal REQUEST 1 2026-12-08T15:00:00Z)"
[ "$(ivs 'Northwind Labs')" = "2026-12-07T14:00:00Z|nw2|- 2026-12-08T15:00:00Z|-|-" ] ||
    fail "a calendar update (higher SEQUENCE) did not replace the slot: $(ivs 'Northwind Labs')"
# 4. a calendar CANCEL: the slot is kept, marked, and nothing is upcoming
mail qs1 'Quayside Freight' 2026-12-01T08:00:00Z 2026-12-11T13:00:00Z 'Invitation: Interview' \
    'You have been invited.' '<qs1@t>' "$(cal qs@cal REQUEST 0 2026-12-11T13:00:00Z)"
mail qs2 'Quayside Freight' 2026-12-04T08:00:00Z 2026-12-11T13:00:00Z 'Canceled event: Interview' \
    'This event has been canceled.' '<qs2@t>' "$(cal qs@cal CANCEL 1 2026-12-11T13:00:00Z)"
[ "$(ivs 'Quayside Freight')" = "2026-12-11T13:00:00Z|qs2|-" ] ||
    fail "a CANCEL did not mark the slot: $(ivs 'Quayside Freight')"
[ -z "$(q -c "SELECT next_interview FROM $S.applications WHERE company = 'Quayside Freight'")" ] ||
    fail "a cancelled interview is still next_interview"
# 5. two rounds at different times, no cue ("as previously discussed" is
#    none): both stay
mail ks1 'Kestrel Systems' 2026-12-01T08:00:00Z 2026-12-07T10:00:00Z 'Interview: Kestrel Systems' \
    'First round with the team lead on Monday.' '<ks1@t>'
mail ks2 'Kestrel Systems' 2026-12-02T08:00:00Z 2026-12-14T10:00:00Z 'Second round: Kestrel Systems' \
    'As previously discussed, we would like to invite you to the second round.' '<ks2@t>'
[ "$(ivs 'Kestrel Systems')" = "2026-12-07T10:00:00Z|-|- 2026-12-14T10:00:00Z|-|-" ] ||
    fail "two rounds at different times are not both kept: $(ivs 'Kestrel Systems')"
# 6. more ways to say it moved (migration 9, trial 19): "move your panel
#    from Tuesday to Wednesday", "moved your interview to Friday
#    (previously Thursday ...)"; "move your application to the next stage"
#    is no move
mail ib1 'Ironbark Robotics' 2026-12-01T08:00:00Z 2026-12-08T16:00:00Z 'Interview invitation: Ironbark Robotics' \
    'Your panel is on Tuesday, December 8 at 11:00 AM Eastern.' '<ib1@t>'
mail ib2 'Ironbark Robotics' 2026-12-03T08:00:00Z 2026-12-09T18:00:00Z 'Change to your Ironbark Robotics panel' \
    'One of the panelists is out, so we need to move your panel from Tuesday to Wednesday 1 pm (Eastern).' '<ib2@t>'
[ "$(ivs 'Ironbark Robotics')" = "2026-12-08T16:00:00Z|ib2|- 2026-12-09T18:00:00Z|-|-" ] ||
    fail "'move your panel from Tuesday to Wednesday' did not replace the slot: $(ivs 'Ironbark Robotics')"
mail pm1 'Pinecrest Medical' 2026-12-01T08:00:00Z 2026-12-10T21:00:00Z 'Interview: Pinecrest Medical' \
    'We look forward to speaking with you on Thursday, December 10 at 3:00 PM CT.' '<pm1@t>'
mail pm2 'Pinecrest Medical' 2026-12-03T08:00:00Z 2026-12-11T16:00:00Z 'Updated time: Pinecrest Medical interview' \
    "We've moved your interview to Friday, December 11 at 10:00 AM CT (previously Thursday, December 10 at 3:00 PM CT)." '<pm2@t>'
[ "$(ivs 'Pinecrest Medical')" = "2026-12-10T21:00:00Z|pm2|- 2026-12-11T16:00:00Z|-|-" ] ||
    fail "'moved your interview to Friday' did not replace the slot: $(ivs 'Pinecrest Medical')"
mail ah1 'Ashgrove Labs' 2026-12-01T08:00:00Z 2026-12-07T15:00:00Z 'Interview: Ashgrove Labs' \
    'First round on Monday at 10 AM Eastern.' '<ah1@t>'
mail ah2 'Ashgrove Labs' 2026-12-02T08:00:00Z 2026-12-14T15:00:00Z 'Next round: Ashgrove Labs' \
    'We would like to move your application to the next stage: a panel on Monday, December 14.' '<ah2@t>'
[ "$(ivs 'Ashgrove Labs')" = "2026-12-07T15:00:00Z|-|- 2026-12-14T15:00:00Z|-|-" ] ||
    fail "'move your application to the next stage' replaced a slot: $(ivs 'Ashgrove Labs')"
# 7. (migration 10, trial 23) the cue across a wrapped line; "rebooked"
mail fc1 'Ferncliff Labs' 2026-12-01T08:00:00Z 2026-12-08T20:00:00Z 'Interview: Ferncliff Labs' \
    'Your interview is on Tuesday, December 8 at 2:00 PM CST.' '<fc1@t>'
mail fc2 'Ferncliff Labs' 2026-12-03T08:00:00Z 2026-12-10T17:00:00Z 'Re: Interview: Ferncliff Labs' \
    "$(printf 'So sorry: Jo is out sick. We have moved your interview to\nThursday, December 10, 2026 at 11:00 AM CST.')" '<fc2@t>'
[ "$(ivs 'Ferncliff Labs')" = "2026-12-08T20:00:00Z|fc2|- 2026-12-10T17:00:00Z|-|-" ] ||
    fail "a move wrapped over a line did not replace the slot: $(ivs 'Ferncliff Labs')"
mail ep1 'Ember Pay' 2026-12-01T08:00:00Z 2026-12-08T20:00:00Z 'Interview: Ember Pay' \
    'Your interview is on Tuesday, December 8 at 2:00 PM CST.' '<ep1@t>'
mail ep2 'Ember Pay' 2026-12-03T08:00:00Z 2026-12-10T17:00:00Z 'Your Ember Pay interview' \
    "Jo is out sick, but we've rebooked you for Thursday, December 10, 2026 at 11:00 AM CST." '<ep2@t>'
[ "$(ivs 'Ember Pay')" = "2026-12-08T20:00:00Z|ep2|- 2026-12-10T17:00:00Z|-|-" ] ||
    fail "'rebooked you for' did not replace the slot: $(ivs 'Ember Pay')"
# 8. (migration 11, trial 24) "rearrange ... instead?", "now takes place"
mail hp1 'Hollis Park' 2026-12-01T08:00:00Z 2026-12-08T21:00:00Z 'Interview: Hollis Park' \
    'Your call is on Tuesday, December 8 at 3:00 PM CST.' '<hp1@t>'
mail hp2 'Hollis Park' 2026-12-03T08:00:00Z 2026-12-09T21:00:00Z 'Re: Interview: Hollis Park' \
    'Apologies, we need to rearrange your call. Could we do Wednesday, December 9, 2026 at 3:00 PM CST instead?' '<hp2@t>'
[ "$(ivs 'Hollis Park')" = "2026-12-08T21:00:00Z|hp2|- 2026-12-09T21:00:00Z|-|-" ] ||
    fail "'rearrange ... instead?' did not replace the slot: $(ivs 'Hollis Park')"
mail mf1 'Marlow Finch' 2026-12-01T08:00:00Z 2026-12-14T20:00:00Z 'Interview: Marlow Finch' \
    'Your interview is on Monday, December 14 at 2:00 PM CST.' '<mf1@t>'
mail mf2 'Marlow Finch' 2026-12-03T08:00:00Z 2026-12-16T20:00:00Z 'Update: Marlow Finch interview' \
    'Your interview now takes place on Wednesday, December 16, 2026 at 2:00 PM CST.' '<mf2@t>'
[ "$(ivs 'Marlow Finch')" = "2026-12-14T20:00:00Z|mf2|- 2026-12-16T20:00:00Z|-|-" ] ||
    fail "'now takes place on' did not replace the slot: $(ivs 'Marlow Finch')"
# 9. (migration 16, trial 74) "moved your interview with X to ..."
mail fw1 'Fallowmere' 2026-12-01T08:00:00Z 2026-12-15T15:00:00Z 'Interview: Fallowmere' \
    'Your interview is on Tuesday, December 15, 2026 at 3:00 PM UTC.' '<fw1@t>'
mail fw2 'Fallowmere' 2026-12-03T08:00:00Z 2026-12-16T17:00:00Z 'Update from Fallowmere' \
    "We've moved your interview with Fallowmere to Wednesday, December 16, 2026 at 5:00 PM UTC. Same Zoom link." '<fw2@t>'
[ "$(ivs 'Fallowmere')" = "2026-12-15T15:00:00Z|fw2|- 2026-12-16T17:00:00Z|-|-" ] ||
    fail "'moved your interview with Fallowmere to' did not replace the slot: $(ivs 'Fallowmere')"
ok "interviews: a reschedule by text, a calendar update and a CANCEL replace; a reply is one interview; two rounds stay"

# What cancels a slot (migration 6). 6. a calendar CANCEL of the
# invitation's UID labelled OTHER, without a company, in another thread
# (the trial's Google cancel): the slot is cancelled, whichever is stored
# first
mail or1 Orbitly 2026-12-01T08:00:00Z 2026-12-16T21:00:00Z 'Invitation: Interview with Orbitly' \
    'You have been invited.' '<or1@t>' "$(cal or@cal REQUEST 0 2026-12-16T21:00:00Z)"
mail or2 '' 2026-12-03T08:00:00Z '' 'Canceled event: Interview with Orbitly' \
    'This event has been canceled.' '<or2@t>' "$(cal or@cal CANCEL 1 2026-12-16T21:00:00Z)" OTHER
[ "$(ivs Orbitly)" = "2026-12-16T21:00:00Z|or2|-" ] ||
    fail "a CANCEL labelled OTHER did not cancel the slot: $(ivs Orbitly)"
mail pc2 '' 2026-12-03T08:00:00Z '' 'Canceled event: Interview' \
    'This event has been canceled.' '<pc2@t>' "$(cal pc@cal CANCEL 0 2026-12-17T15:00:00Z)" OTHER
mail pc1 'Pinecrest Labs' 2026-12-01T08:00:00Z 2026-12-17T15:00:00Z 'Invitation: Interview' \
    'You have been invited.' '<pc1@t>' "$(cal pc@cal REQUEST 0 2026-12-17T15:00:00Z)"
[ "$(ivs 'Pinecrest Labs')" = "2026-12-17T15:00:00Z|pc2|-" ] ||
    fail "a CANCEL stored before its invitation did not cancel it: $(ivs 'Pinecrest Labs')"
# deleting the CANCEL's event restores the slot (the trigger finds the
# application by the UID)
q -c "DELETE FROM $S.events WHERE key = 'pc2'"
[ "$(ivs 'Pinecrest Labs')" = "2026-12-17T15:00:00Z|-|-" ] ||
    fail "deleting the CANCEL did not restore the slot: $(ivs 'Pinecrest Labs')"
mail pc3 '' 2026-12-04T08:00:00Z '' 'Canceled event: Interview' \
    'This event has been canceled.' '<pc3@t>' "$(cal pc@cal CANCEL 0 2026-12-17T15:00:00Z)" OTHER
# 7. a rejection before the slot's time cancels it ("we need to cancel
#    your interview ... filled the position"); a round already past at its
#    date stays
mail rg0 'Ridgeline Analytics' 2026-11-25T08:00:00Z 2026-12-02T17:00:00Z 'Interview: Ridgeline Analytics' \
    'First round with the recruiter.' '<rg0@t>'
mail rg1 'Ridgeline Analytics' 2026-12-02T20:00:00Z 2026-12-11T17:00:00Z 'Next round: Ridgeline Analytics' \
    'We would like to invite you to the next round on Friday, December 11 at 10:00 AM.' '<rg1@t>'
mail rg2 'Ridgeline Analytics' 2026-12-04T08:00:00Z 2026-12-11T17:00:00Z 'Your interview with Ridgeline Analytics' \
    'Unfortunately we need to cancel your interview on Friday, December 11: we have filled the position.' \
    '<rg1@t>' '[]' REJECTION
[ "$(ivs 'Ridgeline Analytics')" = "2026-12-02T17:00:00Z|-|- 2026-12-11T17:00:00Z|rg2|-" ] ||
    fail "a rejection did not cancel the upcoming slot (or cancelled the past one): $(ivs 'Ridgeline Analytics')"
# (migration 7) a rejection for another role at the same company, in
# another thread, leaves the interview alone (trial 12: an interview whose
# role was not read vanished after a Data Analyst rejection)
mail bk1 'Brackenridge' 2026-12-01T08:00:00Z 2026-12-21T21:00:00Z 'Interview invitation - Brackenridge' \
    'We would like to invite you to an interview on Monday, December 21 at 4:00 PM.' '<bk1@t>'
mail bk2 'Brackenridge' 2026-12-03T08:00:00Z '' 'Your application - Brackenridge' \
    'We will not be moving forward with your application for the Data Analyst position.' \
    '<bk2@t>' '[]' REJECTION
q -c "UPDATE $S.events SET role = 'Data Analyst' WHERE key = 'bk2'" >/dev/null
q -c "SELECT $S.careerops_applications_rederive_all()" >/dev/null
[ "$(ivs Brackenridge)" = "2026-12-21T21:00:00Z|-|-" ] ||
    fail "a rejection for another role cancelled the interview: $(ivs Brackenridge)"
# the same rejection without a role (it may be about the interview) cancels it
q -c "UPDATE $S.events SET role = NULL WHERE key = 'bk2'" >/dev/null
q -c "SELECT $S.careerops_applications_rederive_all()" >/dev/null
[ "$(ivs Brackenridge)" = "2026-12-21T21:00:00Z|bk2|-" ] ||
    fail "a rejection naming no role did not cancel the interview: $(ivs Brackenridge)"
# the user's WITHDRAWN cancels the slots ahead at its date; NONE restores
mail lw1 'Lumen Works' 2026-12-01T08:00:00Z 2026-12-15T16:00:00Z 'Interview: Lumen Works' \
    'Would Tuesday, December 15 work for you?' '<lw1@t>'
lumen=$(q -c "SELECT id FROM $S.applications WHERE company = 'Lumen Works'")
"$CAREEROPS_BIN" applications --schema "$S" --decide "$lumen=withdrawn" --now 2026-12-05T10:00:00Z >/dev/null
[ "$(ivs 'Lumen Works')" = "2026-12-15T16:00:00Z|decision:WITHDRAWN|-" ] ||
    fail "WITHDRAWN did not cancel the slot ahead: $(ivs 'Lumen Works')"
"$CAREEROPS_BIN" applications --schema "$S" --decide "$lumen=none" >/dev/null
[ "$(ivs 'Lumen Works')" = "2026-12-15T16:00:00Z|-|-" ] ||
    fail "forgetting WITHDRAWN did not restore the slot: $(ivs 'Lumen Works')"
# 8. a move by text without a join link ("Same link.") keeps the link
fh_cal='[{"uid": "fh@cal", "method": "REQUEST", "sequence": 0, "start": "2026-12-09T17:00:00Z", "url": "https://zoom.us/j/5550001111"}]'
mail fh1 'Fernhill Systems' 2026-12-01T08:00:00Z 2026-12-09T17:00:00Z 'Invitation: Interview' \
    'You have been invited.' '<fh1@t>' "$fh_cal"
mail fh2 'Fernhill Systems' 2026-12-02T08:00:00Z 2026-12-10T18:00:00Z 'Interview rescheduled' \
    $'We need to move the interview.\nNew time: Thursday, December 10 at 11:00 AM. Same link.' '<fh2@t>'
[ "$(q -c "SELECT string_agg(concat_ws('|', i->>'at', coalesce(i->>'superseded_by', '-'), i->>'join_url',
        coalesce(i->>'moved_from', '-')), ' ' ORDER BY i->>'at')
      FROM $S.applications, jsonb_array_elements(interviews) i WHERE company = 'Fernhill Systems'")" = \
    "2026-12-09T17:00:00Z|fh2|https://zoom.us/j/5550001111|- 2026-12-10T18:00:00Z|-|https://zoom.us/j/5550001111|2026-12-09T17:00:00Z" ] ||
    fail "the moved slot lost its join link: $(q -c "SELECT interviews FROM $S.applications WHERE company = 'Fernhill Systems'")"
ok "interviews: a CANCEL of the UID whatever its label, a rejection or WITHDRAWN before the time cancel; a move keeps the join link"

# Calendar cancels and ends (migration 8, trial 12). 9. an Outlook cancel:
# METHOD:REQUEST with STATUS:CANCELLED and a higher SEQUENCE, labelled
# INTERVIEW (same company) or OTHER (none): the slot is cancelled
# cal2 UID METHOD SEQUENCE START [END [STATUS]]
cal2() {
    printf '[{"uid": "%s", "method": "%s", "sequence": %s, "start": "%s", "end": %s, "status": %s}]' \
        "$1" "$2" "$3" "$4" "$(if [ -n "${5:-}" ]; then printf '"%s"' "$5"; else echo null; fi)" \
        "$(if [ -n "${6:-}" ]; then printf '"%s"' "$6"; else echo null; fi)"
}
mail ol1 'Osprey Dynamics' 2026-12-01T08:00:00Z 2026-12-18T15:00:00Z 'Interview: Osprey Dynamics' \
    'You have been invited.' '<ol1@t>' "$(cal2 ol@cal REQUEST 0 2026-12-18T15:00:00Z 2026-12-18T15:30:00Z CONFIRMED)"
mail ol2 'Osprey Dynamics' 2026-12-03T08:00:00Z 2026-12-18T15:00:00Z 'Canceled: Interview: Osprey Dynamics' \
    'The meeting has been cancelled.' '<ol1@t>' "$(cal2 ol@cal REQUEST 1 2026-12-18T15:00:00Z 2026-12-18T15:30:00Z CANCELLED)"
[ "$(ivs 'Osprey Dynamics')" = "2026-12-18T15:00:00Z|ol2|-" ] ||
    fail "an Outlook cancel (REQUEST, STATUS:CANCELLED) labelled INTERVIEW did not cancel the slot: $(ivs 'Osprey Dynamics')"
mail ow1 Wrenfield 2026-12-01T08:00:00Z 2026-12-18T16:00:00Z 'Interview: Wrenfield' \
    'You have been invited.' '<ow1@t>' "$(cal2 ow@cal REQUEST 2 2026-12-18T16:00:00Z)"
mail ow2 '' 2026-12-03T08:00:00Z '' 'Canceled: Interview' \
    'The meeting has been cancelled.' '<ow2@t>' "$(cal2 ow@cal REQUEST 3 2026-12-18T16:00:00Z '' CANCELLED)" OTHER
[ "$(ivs Wrenfield)" = "2026-12-18T16:00:00Z|ow2|-" ] ||
    fail "an Outlook cancel labelled OTHER did not cancel the slot: $(ivs Wrenfield)"
# 10. a CANCEL of the invitation after a text message moved its slot
#     cancels the new slot (it keeps the UID and the length: 45 minutes)
mail mv1 'Marlowe Bio' 2026-12-01T08:00:00Z 2026-12-14T16:00:00Z 'Invitation: Interview' \
    'You have been invited.' '<mv1@t>' "$(cal2 mv@cal REQUEST 0 2026-12-14T16:00:00Z 2026-12-14T16:45:00Z)"
mail mv2 'Marlowe Bio' 2026-12-02T08:00:00Z 2026-12-15T17:00:00Z 'Interview rescheduled' \
    $'We need to move the interview.\nNew time: Tuesday, December 15 at 10:00 AM.' '<mv1@t>'
ends() {
    q -c "SELECT string_agg(concat_ws('|', i->>'at', coalesce(i->>'end', '-'), coalesce(i->>'uid', '-')), ' '
          ORDER BY i->>'at') FROM $S.applications, jsonb_array_elements(interviews) i WHERE company = '$1'"
}
[ "$(ends 'Marlowe Bio')" = "2026-12-14T16:00:00Z|2026-12-14T16:45:00Z|mv@cal 2026-12-15T17:00:00Z|2026-12-15T17:45:00Z|mv@cal" ] ||
    fail "the slot moved by text lost the UID or the length: $(ends 'Marlowe Bio')"
mail mv3 '' 2026-12-03T08:00:00Z '' 'Canceled event: Interview' \
    'This event has been canceled.' '<mv3@t>' "$(cal mv@cal CANCEL 1 2026-12-14T16:00:00Z)" OTHER
[ "$(ivs 'Marlowe Bio')" = "2026-12-14T16:00:00Z|mv2|- 2026-12-15T17:00:00Z|mv3|-" ] ||
    fail "a CANCEL of the invitation did not cancel the slot moved by text: $(ivs 'Marlowe Bio')"
# 11. a calendar cancel labelled REJECTION cancels its slot only: the
#     application stays INTERVIEWING and its other round stays; one whose
#     text clearly rejects ("other candidates") rejects the application
mail cr1 'Corvid Health' 2026-12-01T08:00:00Z 2026-12-16T18:00:00Z 'Invitation: Interview' \
    'You have been invited.' '<cr1@t>' "$(cal cr@cal REQUEST 0 2026-12-16T18:00:00Z)"
mail cr0 'Corvid Health' 2026-12-01T09:00:00Z 2026-12-22T18:00:00Z 'Final round: Corvid Health' \
    'The final round with the CTO will be on Tuesday, December 22.' '<cr0@t>'
mail cr2 'Corvid Health' 2026-12-03T08:00:00Z '' 'Canceled event: Interview' \
    'This event has been canceled.' '<cr2@t>' "$(cal cr@cal CANCEL 1 2026-12-16T18:00:00Z)" REJECTION
[ "$(ivs 'Corvid Health')" = "2026-12-16T18:00:00Z|cr2|- 2026-12-22T18:00:00Z|-|-" ] ||
    fail "a calendar cancel labelled REJECTION cancelled more or less than its slot: $(ivs 'Corvid Health')"
[ "$(q -c "SELECT status FROM $S.applications WHERE company = 'Corvid Health'")" = INTERVIEWING ] ||
    fail "a calendar cancel labelled REJECTION rejected the application"
[ "$(q -c "SELECT count(*) FROM $S.application_transitions t JOIN $S.applications a ON a.id = t.application_id
      WHERE a.company = 'Corvid Health' AND t.to_status = 'REJECTED'")" = 0 ] ||
    fail "a calendar cancel labelled REJECTION logged a move to REJECTED"
mail dr1 'Dunmore Freight' 2026-12-01T08:00:00Z 2026-12-17T18:00:00Z 'Invitation: Interview' \
    'You have been invited.' '<dr1@t>' "$(cal dr@cal REQUEST 0 2026-12-17T18:00:00Z)"
mail dr2 'Dunmore Freight' 2026-12-03T08:00:00Z '' 'Canceled event: Interview' \
    'Unfortunately we have decided to move forward with other candidates, so we are cancelling the interview.' \
    '<dr2@t>' "$(cal dr@cal CANCEL 1 2026-12-17T18:00:00Z)" REJECTION
[ "$(q -c "SELECT status FROM $S.applications WHERE company = 'Dunmore Freight'")" = REJECTED ] ||
    fail "a calendar cancel whose text rejects did not reject the application"
[ "$(ivs 'Dunmore Freight')" = "2026-12-17T18:00:00Z|dr2|-" ] ||
    fail "the rejecting calendar cancel did not cancel the slot: $(ivs 'Dunmore Freight')"
# 12. the interview's end from its calendar part (for --ics below)
mail qn1 Quillon 2026-12-01T08:00:00Z 2026-12-19T14:00:00Z 'Invitation: Interview' \
    'You have been invited.' '<qn1@t>' "$(cal2 qn@cal REQUEST 0 2026-12-19T14:00:00Z 2026-12-19T14:30:00Z)"
[ "$(ends Quillon)" = "2026-12-19T14:00:00Z|2026-12-19T14:30:00Z|qn@cal" ] ||
    fail "the slot does not keep its calendar end: $(ends Quillon)"
ok "calendar cancels: STATUS:CANCELLED cancels, a CANCEL finds a slot moved by text, a cancel labelled REJECTION cancels its slot only; slots keep their end"

# the user's view: the table, --csv and --ics show the new time only
now=2026-12-04T12:00:00Z
"$CAREEROPS_BIN" applications --schema "$S" --now $now --timezone America/Denver >"$T/table2.txt"
# trial 55: a POSIX zone string ("UTC+99", an escape sequence) was taken
# and shifted every date; IANA names only
for tz in 'UTC+99' "$(printf 'X\033[31mRED')"; do
    rc=0
    "$CAREEROPS_BIN" applications --schema "$S" --now $now --timezone "$tz" >"$T/tz.out" 2>"$T/tz.err" || rc=$?
    [ "$rc" = 2 ] && grep -q "^careerops applications: --timezone '.*' unknown: use an IANA name" "$T/tz.err" ||
        fail "--timezone $tz: exit $rc: $(cat -v "$T/tz.err")"
    ! grep -q "$(printf '\033')" "$T/tz.err" || fail "--timezone: the escape printed raw"
done
# trial 56: glibc's file forms (":America/Denver", a zoneinfo path, in
# --timezone or $TZ) showed UTC without a word; they name the zone in them
for tz in :America/Denver /usr/share/zoneinfo/America/Denver; do
    "$CAREEROPS_BIN" applications --schema "$S" --now $now --timezone "$tz" >"$T/tzf.txt" ||
        fail "--timezone $tz refused"
    cmp -s "$T/tzf.txt" "$T/table2.txt" || fail "--timezone $tz: not Denver's table: $(head -3 "$T/tzf.txt")"
    TZ=$tz "$CAREEROPS_BIN" applications --schema "$S" --now $now >"$T/tzf.txt" || fail "TZ=$tz refused"
    cmp -s "$T/tzf.txt" "$T/table2.txt" || fail "TZ=$tz: not Denver's table: $(head -3 "$T/tzf.txt")"
done
rc=0
"$CAREEROPS_BIN" applications --schema "$S" --now $now --timezone /etc/hostname >"$T/tz.out" 2>"$T/tz.err" || rc=$?
[ "$rc" = 2 ] && grep -q "not an IANA name nor a file under zoneinfo/" "$T/tz.err" ||
    fail "--timezone /etc/hostname: exit $rc: $(cat "$T/tz.err")"
grep -q '^Summit Ridge Analytics .*Wed 09 Dec 2026 10:30$' "$T/table2.txt" ||
    fail "the table's next interview of Summit Ridge: $(grep Summit "$T/table2.txt")"
grep -q '^Quayside Freight .*[0-9]  *$' "$T/table2.txt" ||
    fail "the table shows a cancelled interview: $(grep Quayside "$T/table2.txt")"
for c in Orbitly 'Pinecrest Labs'; do
    grep -q "^$c .*[0-9]  *\$" "$T/table2.txt" ||
        fail "the table shows a cancelled interview: $(grep "$c" "$T/table2.txt")"
done
grep -q '^Ridgeline Analytics .*REJECTED.*Wed 02 Dec 2026 10:00 (past)$' "$T/table2.txt" ||
    fail "the table's interview of Ridgeline: $(grep Ridgeline "$T/table2.txt")"
"$CAREEROPS_BIN" applications --schema "$S" --csv --now $now >"$T/out2.csv"
python3 - "$T/out2.csv" <<'PY' || fail "--csv counts replaced interviews"
import csv, sys
rows = {r["company"]: r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
assert rows["Summit Ridge Analytics"]["interviews"] == "1", rows["Summit Ridge Analytics"]
assert rows["Summit Ridge Analytics"]["next_interview"] == "2026-12-09T17:30:00Z"
assert rows["Harborline"]["interviews"] == "1"
assert rows["Quayside Freight"]["interviews"] == "0" and rows["Quayside Freight"]["next_interview"] == ""
assert rows["Kestrel Systems"]["interviews"] == "2"
for c in ("Orbitly", "Pinecrest Labs"):
    assert rows[c]["interviews"] == "0" and rows[c]["next_interview"] == "", rows[c]
assert rows["Ridgeline Analytics"]["interviews"] == "1", rows["Ridgeline Analytics"]
assert rows["Ridgeline Analytics"]["next_interview"] == "2026-12-02T17:00:00Z", rows["Ridgeline Analytics"]
assert rows["Fernhill Systems"]["next_interview"] == "2026-12-10T18:00:00Z", rows["Fernhill Systems"]
PY
"$CAREEROPS_BIN" applications --schema "$S" --ics --now $now | "$ICS_CHECK" | sort >"$T/ics2.txt" ||
    fail "libical does not parse --ics"
cat >"$T/ics2.expected" <<EXP
20261207T100000Z|Interview: Kestrel Systems||
20261207T150000Z|Interview: Ashgrove Labs||
20261208T150000Z|Interview: Northwind Labs||
20261209T173000Z|Interview: Summit Ridge Analytics||
20261209T180000Z|Interview: Ironbark Robotics||
20261209T210000Z|Interview: Hollis Park||
20261210T160000Z|Interview: Harborline||
20261210T170000Z|Interview: Ember Pay||
20261210T170000Z|Interview: Ferncliff Labs||
20261210T180000Z|Interview: Fernhill Systems|https://zoom.us/j/5550001111|
20261211T160000Z|Interview: Pinecrest Medical||
20261214T100000Z|Interview: Kestrel Systems||
20261214T150000Z|Interview: Ashgrove Labs||
20261215T160000Z|Interview: Lumen Works||
20261216T170000Z|Interview: Fallowmere||
20261216T200000Z|Interview: Marlow Finch||
20261219T140000Z|Interview: Quillon||
20261222T180000Z|Interview: Corvid Health||
EXP
diff -u "$T/ics2.expected" "$T/ics2.txt" || fail "--ics lists replaced or repeated interviews"
# DTEND: Quillon's own end (30 minutes), one hour where none is known
"$CAREEROPS_BIN" applications --schema "$S" --ics --now $now >"$T/out2.ics"
python3 - "$T/out2.ics" <<'PY' || fail "--ics DTEND is not the invitation's end"
import sys
text = open(sys.argv[1], "rb").read().replace(b"\r\n ", b"").decode("utf-8")
ends = {}
for e in text.split("BEGIN:VEVENT")[1:]:
    p = dict(l.split(":", 1) for l in e.split("\r\n") if ":" in l)
    ends[p["DTSTART"]] = p["DTEND"]
assert ends["20261219T140000Z"] == "20261219T143000Z", ends
assert ends["20261222T180000Z"] == "20261222T190000Z", ends
PY
ok "the table, --csv and --ics show each interview once, at its new time"

# Automatic company aliases (migration 12): "Ashcombe" and "Ashcombe
# Partners" from the company's own domain are one application; two longer
# names ("Harbor Analytics", "Harbor Foods") leave "Harbor" alone, whatever
# the order; an agency, a shared applicant-tracking domain, the user's own
# replies, free mail and a longer word ("Novartis" for nova) make no alias;
# a user's own alias wins (trials 30 and 31).
al() { # KEY TYPE COMPANY SENDER DAY
    q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, doc)
          VALUES ('$1', '$2', '$3', '$4', '2026-03-$5T10:00:00Z', '{}')" >/dev/null
}
apps_of() { # KEY... -> count:statuses of the applications of those company keys
    q -c "SELECT count(*) || ':' || coalesce(string_agg(status, ',' ORDER BY status), '')
          FROM $S.applications WHERE company_key = ANY ('{$1}')"
}
alias_of() { q -c "SELECT company_key || '/' || auto FROM $S.company_aliases WHERE alias_key = '$1'"; }
al al-a1 APPLICATION_ACK 'Ashcombe Partners' 'Lydia Shaw <lydia@ashcombe.example>' 01
al al-a2 INTERVIEW 'Ashcombe' lydia@ashcombe.example 05
al al-a3 REJECTION 'Ashcombe' lydia@ashcombe.example 09
[ "$(apps_of ashcombe,ashcombepartners)" = "1:REJECTED" ] ||
    fail "Ashcombe and Ashcombe Partners are not one application: $(apps_of ashcombe,ashcombepartners)"
[ "$(alias_of ashcombe)" = "ashcombepartners/true" ] || fail "no automatic alias ashcombe -> ashcombepartners"
al al-v1 APPLICATION_ACK 'Vinter Kraft Energy' talent@careers.vinterkraft.example 01
al al-v2 REJECTION 'Vinterkraft' ola@vinterkraft.example 04
[ "$(apps_of vinterkraft,vinterkraftenergy)" = "1:REJECTED" ] ||
    fail "the domain's label did not join the name that spells it: $(apps_of vinterkraft,vinterkraftenergy)"
# note 33: relabel --company with a name that is an alias says where the
# email went (it joined the other name's application in silence)
ka=$(printf 'a%.0s' $(seq 64))
al "$ka" REJECTION 'Ashcombe' lydia@ashcombe.example 10
rl() { "$CAREEROPS_BIN" relabel "$ka" REJECTION --company "$1" --conninfo "$CAREEROPS_TEST_PG" \
    --schema "$S" --no-emit 2>&1; }
out=$(rl Vinterkraft) || fail "relabel --company Vinterkraft: $out"
grep -q "Vinterkraft is an alias of the company key vinterkraftenergy (company_aliases; docs/applications.md, Grouping): this event joined that company's application [0-9a-f]\{16\}" <<< "$out" ||
    fail "relabel to an alias did not say so: $out"
out=$(rl Ashcombe) || fail "relabel back: $out"
grep -q "Ashcombe is an alias of the company key ashcombepartners" <<< "$out" || fail "relabel back to an alias: $out"
out=$(rl 'Ashcombe Partners') || fail "relabel to the full name: $out"
! grep -q "is an alias of" <<< "$out" || fail "a name that is no alias was said to be one: $out"
out=$(rl Zephyrine) || fail "relabel to a new company: $out"
grep -q "this event is now in application [0-9a-f]\{16\} (Zephyrine, 1 email)" <<< "$out" ||
    fail "relabel to a new company did not say where the email went: $out"
q -c "DELETE FROM $S.events WHERE key = '$ka'" >/dev/null
[ "$(apps_of ashcombe,ashcombepartners)" = "1:REJECTED" ] || fail "after the relabels: $(apps_of ashcombe,ashcombepartners)"
ok "relabel --company names the application an alias joins the email to"
# named events for the order tests: put NAME... inserts them in that order
declare -A EV=(
    [h1]="al-h1|INTERVIEW|Harbor Analytics|hr@harbor.example|02"
    [h2]="al-h2|INTERVIEW|Harbor|hr@harbor.example|04"
    [h3]="al-h3|APPLICATION_ACK|Harbor Foods|jobs@harbor.example|06"
    [t1]="al-r1|APPLICATION_ACK|Tarn|hr@tarn.example|01"
    [t2]="al-r2|INTERVIEW|Tarn Valley|hr@tarn.example|03"
    [t3]="al-r3|INTERVIEW|Tarn Valley Holdings|hr@tarnvalley.example|05"
    [t4]="al-r4|APPLICATION_ACK|Tarn Valley|hr@tarnvalley.example|06"
    [t5]="al-r5|APPLICATION_ACK|TarnValley Foods|jobs@tarnvalley.example|07")
put() {
    local k key type comp snd day
    for k in "$@"; do
        IFS='|' read -r key type comp snd day <<<"${EV[$k]}"
        al "$key" "$type" "$comp" "$snd" "$day"
    done
}
put h1 h2
[ "$(apps_of harbor,harboranalytics)" = "1:INTERVIEWING" ] ||
    fail "Harbor did not join Harbor Analytics: $(apps_of harbor,harboranalytics)"
put h3
[ "$(apps_of harbor,harboranalytics,harborfoods)" = "3:APPLIED,INTERVIEWING,INTERVIEWING" ] ||
    fail "a second longer name did not undo the alias: $(apps_of harbor,harboranalytics,harborfoods)"
q -c "DELETE FROM $S.events WHERE key LIKE 'al-h%'" >/dev/null
put h3 h2 h1
[ "$(apps_of harbor,harboranalytics,harborfoods)" = "3:APPLIED,INTERVIEWING,INTERVIEWING" ] ||
    fail "the Harbor events in another order gave other applications"
[ -z "$(alias_of harbor)" ] || fail "an ambiguous short name has an alias"
# deleting Harbor Foods's event leaves one longer name: the alias comes
# back; deleting Harbor Analytics's too drops it again
q -c "DELETE FROM $S.events WHERE key = 'al-h3'" >/dev/null
[ "$(apps_of harbor,harboranalytics)" = "1:INTERVIEWING" ] ||
    fail "a deleted event did not re-make the alias: $(apps_of harbor,harboranalytics)"
q -c "DELETE FROM $S.events WHERE key = 'al-h1'" >/dev/null
[ -z "$(alias_of harbor)" ] || fail "an alias to a company with no events left stays"
[ "$(apps_of harbor,harboranalytics)" = "1:INTERVIEWING" ] ||
    fail "Harbor alone is not its own application: $(apps_of harbor,harboranalytics)"
# no alias: an agency's clients, a shared ATS domain, the user's replies,
# free mail, a longer word, two domains
al al-t1 INTERVIEW 'Orrin Robotics' kelly@talentbridge.example 01
al al-t2 REJECTION 'Orrin' kelly@talentbridge.example 03
al al-m1 REJECTION 'Mercury Insurance' no-reply@us.greenhouse-mail.io 01
al al-m2 INTERVIEW 'Mercury' no-reply@us.greenhouse-mail.io 03
al al-n1 INTERVIEW 'Nova' sam.rivera@example.net 01
al al-n2 REJECTION 'Nova Health' sam.rivera@example.net 03
al al-q1 APPLICATION_ACK 'Quillon Robotics' jobs.quillon@gmail.com 01
al al-q2 OFFER 'Quillon' quillon.hiring@gmail.com 03
al al-o1 INTERVIEW 'Novartis Pharma' kim@nova.example 01
al al-o2 APPLICATION_ACK 'Nova' kim@nova.example 03
al al-p1 APPLICATION_ACK 'Apple Bank' ann@applebank.example 01
al al-p2 INTERVIEW 'Apple' jo@apple-orchards.example 03
for pair in orrin,orrinrobotics mercury,mercuryinsurance nova,novahealth \
    quillon,quillonrobotics nova,novartispharma apple,applebank; do
    [ "$(apps_of $pair | cut -d: -f1)" = 2 ] || fail "$pair became one application: $(apps_of $pair)"
done
# no alias: another top-level domain (lumen.io, lumen.de), a generic
# label elsewhere in a domain (mail.example, mail.quarry.example), a legal
# form's "Co" ("Co-Cobalt Labs" is no longer "Cobalt"), the user's own
# domain (the recipient the senders write to), and no chain: "Tarn",
# "Tarn Valley", "Tarn Valley Holdings" leave only the last link, in any
# order (trial 32)
al al-l1 APPLICATION_ACK 'Lumen' jobs@lumen.io 01
al al-l2 INTERVIEW 'Lumen Freight' recruit@lumen.de 03
al al-g1 APPLICATION_ACK 'Mail' jobs@mail.example 01
al al-g2 INTERVIEW 'Mail Order Depot' noreply@mail.quarry.example 03
al al-c1 APPLICATION_ACK 'Cobalt' hr@cobalt.example 01
al al-c2 INTERVIEW 'Co-Cobalt Labs' hr@cobalt.example 03
q -c "INSERT INTO $S.emails (key, sender, doc) VALUES
      ('al-f1', 'jobs@fernhill.io', '{\"to\": [{\"address\": \"alex@fernhill.example\"}]}'),
      ('al-f2', 'talent@fernhillrobotics.example', '{\"to\": [{\"address\": \"alex@fernhill.example\"}]}'),
      ('al-f3', 'alex@fernhill.example', '{\"to\": [{\"address\": \"talent@fernhillrobotics.example\"}]}')" >/dev/null
al al-f1 APPLICATION_ACK 'Fernhill' jobs@fernhill.io 01
al al-f2 INTERVIEW 'Fernhill Robotics' talent@fernhillrobotics.example 03
al al-f3 INTERVIEW 'Fernhill Robotics' alex@fernhill.example 04
al al-f4 APPLICATION_ACK 'Fernhill' alex@fernhill.example 05
for pair in lumen,lumenfreight mail,mailorderdepot cobalt,cobaltlabs fernhill,fernhillrobotics; do
    [ "$(apps_of $pair | cut -d: -f1)" = 2 ] || fail "$pair became one application: $(apps_of $pair)"
done
put t1 t2
[ "$(alias_of tarn)" = "tarnvalley/true" ] || fail "no alias tarn -> tarnvalley"
put t3 t4
snap_tarn() { q -c "SELECT string_agg(alias_key || '>' || company_key, ' ' ORDER BY 1) FROM $S.company_aliases WHERE alias_key LIKE 'tarn%'"; }
first=$(snap_tarn)
[ "$first" = "tarnvalley>tarnvalleyholdings" ] || fail "a chain of aliases: $first"
q -c "DELETE FROM $S.events WHERE key LIKE 'al-r%'" >/dev/null
put t4 t3 t2 t1
[ "$(snap_tarn)" = "$first" ] || fail "the Tarn events in another order gave other aliases: $(snap_tarn)"
# trial 34: a spelling without spaces makes "tarnvalley" ambiguous, and
# "tarn" (which it blocked) is read again, in either order
put t5
[ "$(snap_tarn)" = "tarn>tarnvalley" ] || fail "TarnValley Foods after the rest: $(snap_tarn)"
q -c "DELETE FROM $S.events WHERE key LIKE 'al-r%'" >/dev/null
put t5 t4 t2 t3 t1
[ "$(snap_tarn)" = "tarn>tarnvalley" ] || fail "TarnValley Foods first: $(snap_tarn)"
# a recruiter copying a colleague does not make the company's domain
# the user's own: Lumeny from lumeny.de and lumeny.io stay apart,
# Ashcomby's two names still merge
q -c "INSERT INTO $S.emails (key, sender, doc) VALUES
      ('al-y1', 'anna@lumeny.de', '{\"to\": [{\"address\": \"robin@inbox.example\"}, {\"address\": \"kai@lumeny.de\"}]}'),
      ('al-y2', 'robin@inbox.example', '{\"to\": [{\"address\": \"anna@lumeny.de\"}, {\"address\": \"kai@lumeny.de\"}]}'),
      ('al-y5', 'lydia@ashcomby.example', '{\"to\": [{\"address\": \"robin@inbox.example\"}, {\"address\": \"tom@ashcomby.example\"}]}'),
      ('al-y7', 'robin@inbox.example', '{\"to\": [{\"address\": \"lydia@ashcomby.example\"}, {\"address\": \"tom@ashcomby.example\"}]}'),
      ('al-y8', 'lydia@careers.birchmoor.example', '{\"to\": [{\"address\": \"robin@inbox.example\"}, {\"address\": \"tom@birchmoor.example\"}]}'),
      ('al-y9', 'robin@inbox.example', '{\"to\": [{\"address\": \"lydia@careers.birchmoor.example\"}, {\"address\": \"tom@birchmoor.example\"}]}')" >/dev/null
al al-y8 APPLICATION_ACK 'Birchmoor Analytics' lydia@careers.birchmoor.example 01
al al-y9 INTERVIEW 'Birchmoor' lydia@careers.birchmoor.example 02
[ "$(alias_of birchmoor)" = "birchmooranalytics/true" ] || fail "a colleague copied from a subdomain undid a merge: $(alias_of birchmoor)"
al al-y1 REJECTION 'Lumeny' anna@lumeny.de 01
al al-y3 APPLICATION_ACK 'Lumeny Freight' jobs@lumeny.io 02
al al-y4 INTERVIEW 'Lumeny' jobs@lumeny.io 03
al al-y5 APPLICATION_ACK 'Ashcomby Partners' lydia@ashcomby.example 01
al al-y6 INTERVIEW 'Ashcomby' lydia@ashcomby.example 02
[ -z "$(alias_of lumeny)" ] || fail "a copied colleague made an alias across two domains: $(alias_of lumeny)"
[ "$(alias_of ashcomby)" = "ashcombypartners/true" ] || fail "a copied colleague undid a merge: $(alias_of ashcomby)"
# trial 33: the user's own domain known only later (events first, then
# the emails that show it): the alias made meanwhile goes; one short name
# from two own domains is two companies; your own rows are read when you
# change them: a row onward from the longer key takes the short one
# along, a synonym of the longer key keeps the merge
al al-d2 INTERVIEW 'Dunmore Robotics' talent@dunmorerobotics.example 02
al al-d3 INTERVIEW 'Dunmore Robotics' pat@dunmore.example 03
al al-d4 APPLICATION_ACK 'Dunmore' pat@dunmore.example 04
[ "$(alias_of dunmore)" = "dunmorerobotics/true" ] || fail "no alias before the user's domain is known: $(alias_of dunmore)"
q -c "INSERT INTO $S.emails (key, sender, doc) VALUES
      ('al-d1', 'jobs@brindle.example', '{\"to\": [{\"address\": \"pat@dunmore.example\"}]}'),
      ('al-d2', 'talent@dunmorerobotics.example', '{\"to\": [{\"address\": \"pat@dunmore.example\"}]}')" >/dev/null
[ -z "$(alias_of dunmore)" ] || fail "the alias through the user's own domain stays: $(alias_of dunmore)"
al al-u1 REJECTION 'Lumenx' jobs@lumenx.de 01
al al-u2 APPLICATION_ACK 'Lumenx Health' talent@lumenx.io 02
al al-u3 INTERVIEW 'Lumenx' talent@lumenx.io 03
[ -z "$(alias_of lumenx)" ] || fail "one short name from two own domains made an alias: $(alias_of lumenx)"
q -c "INSERT INTO $S.company_aliases (alias_key, company_key) VALUES ('ashcombepartners', 'ashcombegroup')" >/dev/null
[ "$(alias_of ashcombe)" = "ashcombegroup/true" ] || fail "the short name did not follow your row onward: $(alias_of ashcombe)"
[ "$(apps_of ashcombe,ashcombepartners,ashcombegroup)" = "1:REJECTED" ] ||
    fail "Ashcombe split after your row: $(apps_of ashcombe,ashcombepartners,ashcombegroup)"
al al-w1 APPLICATION_ACK 'Orla Systems' hr@orla.example 01
al al-w2 INTERVIEW 'Orla' hr@orla.example 02
q -c "INSERT INTO $S.company_aliases (alias_key, company_key) VALUES ('orlasys', 'orlasystems')" >/dev/null
[ "$(alias_of orla)" = "orlasystems/true" ] || fail "a synonym of the longer key undid the merge: $(alias_of orla)"
# the user's own alias wins, also one that points to the short key
q -c "INSERT INTO $S.company_aliases (alias_key, company_key) VALUES ('kestrelx', 'kestrelgroupx'),
      ('brackco', 'brackwater')" >/dev/null
al al-k1 APPLICATION_ACK 'Kestrelx Labs' hr@kestrelx.example 01
al al-k2 INTERVIEW 'Kestrelx' hr@kestrelx.example 03
al al-b1 APPLICATION_ACK 'Brackwater Labs' hr@brackwater.example 01
al al-b2 INTERVIEW 'Brackwater' hr@brackwater.example 03
[ "$(alias_of kestrelx)" = "kestrelgroupx/false" ] || fail "an automatic alias replaced the user's"
[ -z "$(alias_of brackwater)" ] || fail "an automatic alias of a key the user's alias points to"
ok "automatic company aliases: one application for a short and a full name of the company's own domain, none when ambiguous, for agencies, shared or free-mail senders, the user's replies, a longer word or two domains"

# A decision survives a merge (migration 13): WITHDRAWN on "Quenby" stays
# when "Quenby Labs" from the same domain merges it, and goes back to
# "Quenby" when the merge is undone (session 17 left it orphaned).
al al-qb1 INTERVIEW 'Quenby' hr@quenby.example 01
qid=$(q -c "SELECT id FROM $S.applications WHERE company_key = 'quenby'")
[ -n "$qid" ] || fail "no Quenby application"
q -c "SELECT $S.careerops_application_decide('$qid', 'WITHDRAWN', '2026-03-20T10:00:00Z')" >/dev/null
al al-qb2 OFFER 'Quenby Labs' hr@quenby.example 03
[ "$(alias_of quenby)" = "quenbylabs/true" ] || fail "no alias quenby -> quenbylabs: $(alias_of quenby)"
[ "$(apps_of quenby,quenbylabs)" = "1:WITHDRAWN" ] ||
    fail "the decision was lost in the merge: $(apps_of quenby,quenbylabs)"
q -c "UPDATE $S.company_aliases SET company_key = alias_key, auto = false WHERE alias_key = 'quenby'" >/dev/null
q -c "SELECT $S.careerops_applications_rederive_all()" >/dev/null
[ "$(q -c "SELECT company_key || ':' || status FROM $S.applications WHERE company_key IN ('quenby', 'quenbylabs') ORDER BY 1" | tr '\n' ' ')" = "quenby:WITHDRAWN quenbylabs:OFFER " ] ||
    fail "undoing the merge: $(q -c "SELECT company_key, status FROM $S.applications WHERE company_key LIKE 'quenby%'")"
ok "a decision recorded before a merge stays with the merged application, and goes back when the merge is undone"
# an invitation read after your WITHDRAWN: no next interview in the table
# or CSV, as --ics (trial 37 showed it as NEXT INTERVIEW)
q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, scheduled_at, doc)
      VALUES ('al-qb3', 'INTERVIEW', 'Quenby', 'hr@quenby.example', '2026-03-25T10:00:00Z',
              '2099-01-05T15:00:00Z', '{}')" >/dev/null
[ "$(q -c "SELECT status FROM $S.applications WHERE company_key = 'quenby'")" = WITHDRAWN ] ||
    fail "a later invitation reopened the withdrawn application"
"$CAREEROPS_BIN" applications --schema "$S" --csv >"$T/qb.csv" || fail "applications --csv"
python3 - "$T/qb.csv" <<'P' || fail "Quenby's next interview: $(grep -i quenby "$T/qb.csv")"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["company"] == "Quenby"]
assert len(rows) == 1 and rows[0]["next_interview"] == "", rows
P
"$CAREEROPS_BIN" applications --schema "$S" >"$T/qb.txt" || fail "applications"
! grep -i "^[0-9a-f]* *Quenby.*2099" "$T/qb.txt" || fail "the table shows Quenby's 2099 interview: $(grep -i quenby "$T/qb.txt")"
"$CAREEROPS_BIN" applications --schema "$S" --ics >"$T/qb.ics" || fail "applications --ics"
! grep -q "20990105T150000Z" "$T/qb.ics" || fail "--ics has Quenby's 2099 interview"
ok "an invitation after your WITHDRAWN is no next interview (table, CSV, --ics)"

# Your own reply closes the application (migration 14, note 18): an OTHER
# event with own_decision (rules-classifier's SELF phrases) after an offer
# is DECLINED, without an offer WITHDRAWN; one naming no company finds its
# application by thread; --decide stays first, and NONE gives the reply's
# decision back.
own() { # KEY COMPANY DAY [THREAD]
    q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, doc)
          VALUES ('$1', 'OTHER', nullif('$2', ''), 'me@example.net', '2026-04-$3T10:00:00Z',
                  jsonb_build_object('own_decision', true, 'email',
                    jsonb_build_object('thread_id', nullif('${4:-}', ''))))" >/dev/null
}
al al-tb1 INTERVIEW 'Tarnby Foods' hr@tarnby.example 02
q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, doc)
      VALUES ('al-tb2', 'OFFER', 'Tarnby Foods', 'hr@tarnby.example', '2026-04-01T10:00:00Z', '{}')" >/dev/null
[ "$(apps_of tarnbyfoods)" = "1:OFFER" ] || fail "Tarnby: $(apps_of tarnbyfoods)"
own al-tb3 'Tarnby Foods' 03
[ "$(apps_of tarnbyfoods)" = "1:DECLINED" ] || fail "your reply declining Tarnby's offer: $(apps_of tarnbyfoods)"
q -c "SELECT to_status || '/' || event_type FROM $S.application_transitions t
      JOIN $S.applications a ON a.id = t.application_id
      WHERE a.company_key = 'tarnbyfoods' ORDER BY seq DESC LIMIT 1" | grep -qx "DECLINED/DECISION" ||
    fail "no DECISION transition to DECLINED"
tid=$(q -c "SELECT id FROM $S.applications WHERE company_key = 'tarnbyfoods'")
q -c "SELECT $S.careerops_application_decide('$tid', 'ACCEPTED', '2026-04-05T10:00:00Z')" >/dev/null
[ "$(apps_of tarnbyfoods)" = "1:ACCEPTED" ] || fail "--decide after the reply: $(apps_of tarnbyfoods)"
q -c "SELECT $S.careerops_application_decide('$tid', NULL, NULL)" >/dev/null
[ "$(apps_of tarnbyfoods)" = "1:DECLINED" ] || fail "--decide NONE: $(apps_of tarnbyfoods)"
# no offer: WITHDRAWN; a reply without a company, in the thread
q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, doc)
      VALUES ('al-vw1', 'INTERVIEW', 'Vellwood', 'hr@vellwood.example', '2026-04-02T10:00:00Z',
              '{\"email\": {\"thread_id\": \"thr-vellwood\"}}')" >/dev/null
[ "$(apps_of vellwood)" = "1:INTERVIEWING" ] || fail "Vellwood: $(apps_of vellwood)"
own al-vw2 '' 04 thr-vellwood
[ "$(apps_of vellwood)" = "1:WITHDRAWN" ] || fail "your withdrawal in the thread: $(apps_of vellwood)"
# relabelled away from OTHER, the reply decides nothing
q -c "UPDATE $S.events SET event_type = 'INTERVIEW' WHERE key = 'al-vw2'" >/dev/null
[ "$(apps_of vellwood)" = "1:INTERVIEWING" ] || fail "a relabelled reply still decides: $(apps_of vellwood)"
# a reply in one application's thread that names another company (trial
# 42: "as I've accepted an offer from Kestrel" closed Kestrel's): the thread
# decides
for k in kd:Kestrelwood:thr-kd bw:Brightmoor:thr-bw; do
    IFS=: read -r key co thr <<<"$k"
    q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, doc)
          VALUES ('al-$key', 'OFFER', '$co', 'hr@x.example', '2026-04-05T10:00:00Z',
                  '{\"email\": {\"thread_id\": \"$thr\"}}')" >/dev/null
done
own al-bw2 'Kestrelwood' 07 thr-bw
[ "$(apps_of brightmoor)" = "1:DECLINED" ] && [ "$(apps_of kestrelwood)" = "1:OFFER" ] ||
    fail "a reply in Brightmoor's thread naming Kestrelwood: $(apps_of brightmoor) $(apps_of kestrelwood)"
ok "your own reply declining an offer (DECLINED) or withdrawing (WITHDRAWN) closes the application, by thread first, else by company; --decide stays first"

# trial: relabel gave the only email of an application with a decision
# (WITHDRAWN) another company: the application's id derives from the
# company, so the decision stayed under the old id, the interview was back
# in the table and --ics, and `--decide OLDID=NONE` found no application.
# The decision now follows the application; when the application keeps
# other emails it stays, and relabel says how to decide the new one; an
# orphaned decision can be forgotten with --decide OLDID=NONE.
RL=(--conninfo "$CAREEROPS_TEST_PG" --schema "$S" --no-emit)
q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, scheduled_at, doc)
      VALUES ('al-mc-iv1', 'INTERVIEW', 'Marrowcoast', 'hr@marrowcoast.example',
              '2026-05-01T10:00:00Z', '2099-02-01T15:00:00Z', '{}')" >/dev/null
mid=$(q -c "SELECT id FROM $S.applications WHERE company_key = 'marrowcoast'")
"$CAREEROPS_BIN" applications --schema "$S" --decide "${mid:0:8}=withdrawn" --now 2026-05-02T10:00:00Z >/dev/null
"$CAREEROPS_BIN" relabel al-mc-iv1 INTERVIEW --company Pellridge "${RL[@]}" >"$T/mv.out" ||
    fail "relabel --company Pellridge: $(cat "$T/mv.out")"
pid=$(q -c "SELECT id FROM $S.applications WHERE company_key = 'pellridge'")
grep -q "your decision WITHDRAWN follows the application: $mid is now $pid" "$T/mv.out" ||
    fail "relabel said: $(cat "$T/mv.out")"
[ "$(apps_of marrowcoast)/$(apps_of pellridge)" = "0:/1:WITHDRAWN" ] ||
    fail "the decision did not follow the application: $(apps_of marrowcoast)/$(apps_of pellridge)"
[ "$(q -c "SELECT string_agg(application_id || ':' || status || ':' || (decided_at AT TIME ZONE 'UTC'), ' ')
      FROM $S.application_decisions WHERE application_id IN ('$mid', '$pid')")" = "$pid:WITHDRAWN:2026-05-02 10:00:00" ] ||
    fail "application_decisions: $(q -c "SELECT * FROM $S.application_decisions")"
"$CAREEROPS_BIN" applications --schema "$S" --ics >"$T/mv.ics" 2>/dev/null
! grep -q "20990201T150000Z" "$T/mv.ics" || fail "--ics has the withdrawn interview after the relabel"
"$CAREEROPS_BIN" relabel al-mc-iv1 INTERVIEW --company Marrowcoast "${RL[@]}" >"$T/mv.out"
grep -q "your decision WITHDRAWN follows the application: $pid is now $mid" "$T/mv.out" ||
    fail "relabel back said: $(cat "$T/mv.out")"
[ "$(apps_of marrowcoast)/$(apps_of pellridge)" = "1:WITHDRAWN/0:" ] ||
    fail "relabelling back: $(apps_of marrowcoast)/$(apps_of pellridge)"
# an application that keeps other emails keeps its decision
q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, doc)
      VALUES ('al-mc-ack', 'APPLICATION_ACK', 'Marrowcoast', 'hr@marrowcoast.example',
              '2026-04-28T10:00:00Z', '{}')" >/dev/null
"$CAREEROPS_BIN" relabel al-mc-iv1 INTERVIEW --company Pellridge "${RL[@]}" >"$T/mv.out"
pid=$(q -c "SELECT id FROM $S.applications WHERE company_key = 'pellridge'")
grep -q "application $mid keeps its decision WITHDRAWN .*careerops applications --decide $pid=WITHDRAWN decides it too" "$T/mv.out" ||
    fail "relabel of one of two emails said: $(cat "$T/mv.out")"
[ "$(apps_of marrowcoast)/$(apps_of pellridge)" = "1:WITHDRAWN/1:INTERVIEWING" ] ||
    fail "one of two emails relabelled: $(apps_of marrowcoast)/$(apps_of pellridge)"
# no application left to follow (the last email relabelled OTHER): the
# decision is kept, and --decide OLDID=NONE forgets it
"$CAREEROPS_BIN" relabel al-mc-ack OTHER --company Pellridge "${RL[@]}" >"$T/mv.out"
grep -q "application $mid is gone; its decision WITHDRAWN is kept under its id .*--decide $mid=NONE forgets it" "$T/mv.out" ||
    fail "relabel of the last email said: $(cat "$T/mv.out")"
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --decide "$mid=withdrawn" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "no application with id" "$T/err" || fail "--decide on a gone id: exit $rc: $(cat "$T/err")"
"$CAREEROPS_BIN" applications --schema "$S" --decide "${mid:0:10}=none" >"$T/dec" ||
    fail "--decide OLDID=NONE of an orphaned decision failed"
grep -q "^$mid: forgot the decision WITHDRAWN" "$T/dec" || fail "--decide OLDID=NONE said: $(cat "$T/dec")"
[ "$(q -c "SELECT count(*) FROM $S.application_decisions WHERE application_id = '$mid'")" = 0 ] ||
    fail "the orphaned decision is still there"
rc=0; "$CAREEROPS_BIN" applications --schema "$S" --decide "$mid=none" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q "no application nor decision with id '$mid'" "$T/err" ||
    fail "--decide OLDID=NONE again: exit $rc: $(cat "$T/err")"
# trial 74: the decision moved onto another company's existing
# application (its interviews WITHDRAWN), and relabelling back left it
# there: it follows only to an application of this email alone
q -c "INSERT INTO $S.events (key, event_type, company, sender, received_at, scheduled_at, doc)
      VALUES ('al-ol-iv1', 'INTERVIEW', 'Oarlock', 'hr@oarlock.example',
              '2026-05-01T10:00:00Z', '2099-03-01T15:00:00Z', '{}'),
             ('al-hg-iv1', 'INTERVIEW', 'Hallgarth', 'hr@hallgarth.example',
              '2026-05-03T10:00:00Z', '2099-03-02T15:00:00Z', '{}')" >/dev/null
hid=$(q -c "SELECT id FROM $S.applications WHERE company_key = 'hallgarth'")
oid=$(q -c "SELECT id FROM $S.applications WHERE company_key = 'oarlock'")
"$CAREEROPS_BIN" applications --schema "$S" --decide "${hid:0:8}=withdrawn" --now 2026-05-04T10:00:00Z >/dev/null
"$CAREEROPS_BIN" relabel al-hg-iv1 INTERVIEW --company Oarlock "${RL[@]}" >"$T/mv.out" ||
    fail "relabel --company Oarlock: $(cat "$T/mv.out")"
grep -q "application $hid is gone; its decision WITHDRAWN is kept under its id: this event is now in application $oid, which has other emails" "$T/mv.out" ||
    fail "relabel onto an existing application said: $(cat "$T/mv.out")"
[ "$(apps_of oarlock)" = "1:INTERVIEWING" ] || fail "Oarlock took the decision: $(apps_of oarlock)"
"$CAREEROPS_BIN" relabel al-hg-iv1 INTERVIEW --company Hallgarth "${RL[@]}" >"$T/mv.out"
[ "$(apps_of hallgarth)/$(apps_of oarlock)" = "1:WITHDRAWN/1:INTERVIEWING" ] ||
    fail "relabelling back: $(apps_of hallgarth)/$(apps_of oarlock)"
ok "relabel --company: the decision follows an application whose emails all move, stays with one that keeps some, never moves onto another application; --decide OLDID=NONE forgets an orphaned one"

# the dashboard's /api/interviews agrees: the live slots only (not a
# CANCEL's own event qs2, not a moved, cancelled or repeated one)
command -v curl >/dev/null || { echo "SKIP: curl is missing (dashboard check)"; exit 0; }
. "$(dirname "$0")/../lib/serve_api.sh"
serve_api "$S" /api/interviews "$T/ivs.json"
python3 - "$T/ivs.json" <<'P' || fail "/api/interviews: $(cat "$T/ivs.json")"
import json, sys
keys = {i["key"] for i in json.load(open(sys.argv[1]))}
live = {"sr2", "hb1", "nw2", "ks1", "ks2", "rg0", "lw1", "fh2", "cr0", "qn1"}
gone = {"sr1", "hb2", "hb3", "nw1", "qs1", "qs2", "or1", "pc1", "rg1", "rg2", "fh1",
        "ol1", "ol2", "ow1", "ow2", "mv1", "mv2", "mv3", "cr1", "cr2", "dr1", "dr2"}
assert live <= keys, sorted(live - keys)
assert not (gone & keys), sorted(gone & keys)
P
ok "the dashboard's /api/interviews: the live slots only"
# an id's first 8 characters, as --decide takes it (trial 37: 404)
serve_api "$S" "/api/application?id=${qid:0:8}" "$T/app.json"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["application"]; assert a["id"] == sys.argv[2], a' "$T/app.json" "$qid" ||
    fail "/api/application?id=${qid:0:8}: $(head -c 300 "$T/app.json")"
ok "the dashboard's /api/application takes an id's first 8 characters"
