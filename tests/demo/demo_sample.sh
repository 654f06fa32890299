#!/usr/bin/env bash
# The demo end to end on the bundled sample mailbox: the summary matches
# datasets/sample-mailbox/expected.csv (messages, events per type, each
# interview's company and date), every message's label, company and date in
# PostgreSQL match it too, one notification per interview, offer and
# assessment; a second run is idempotent (same rows, no new notification,
# same summary); the text summary shows the interviews in the given zone.
. "$(dirname "$0")/lib.sh"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/sample.mbox"
S=$(schema_of "$T/sample.mbox")
SCHEMAS+=("$S")
RUN=$SRC/.run/demo/$S
start=$(date +%s%N)
demo "$T/first.json" --mailbox "$T/sample.mbox" --fresh --timezone America/New_York
first_ms=$((($(date +%s%N) - start) / 1000000))
python3 - "$T/first.json" "$SRC/datasets/sample-mailbox/expected.csv" <<'P' || fail "first summary"
import csv, json, sys
s = json.load(open(sys.argv[1]))
exp = list(csv.DictReader(open(sys.argv[2])))
counts = {}
for r in exp:
    counts[r["label"]] = counts.get(r["label"], 0) + 1
assert s["messages"] == len(exp) == 40, s["messages"]
assert s["messages_new"] == 40, s["messages_new"]
assert s["events"] == {k: counts.get(k, 0) for k in s["events"]}, (s["events"], counts)
assert set(s["events"]) == {"INTERVIEW", "OFFER", "ASSESSMENT", "REJECTION",
                            "APPLICATION_ACK", "RECRUITER_OUTREACH", "OTHER"}
assert s["dead_letters"] == 0, s["dead_letter_list"]
# an undated interview is left out once its company rejected (Velora
# Energy: the mailbox's rejection comes after its invitation)
rejected = {r["company"] for r in exp if r["label"] == "REJECTION"}
want = sorted((r["company"], r["scheduled_date"]) for r in exp if r["label"] == "INTERVIEW"
              and (r["scheduled_date"] or r["company"] not in rejected))
assert ("Velora Energy", "") not in want
got = sorted((i["company"], i["date_utc"] or "") for i in s["interviews"])
assert got == want, (got, want)
# local dates: Saltmarsh's phone screen is 10:30 in New York (EDT)
assert any(i["date_local"] == "2025-10-14T10:30:00-04:00" for i in s["interviews"]), s["interviews"]
assert any(i["date_local"] == "2025-11-05T09:30:00-05:00" for i in s["interviews"]), s["interviews"]
n = counts["INTERVIEW"] + counts["OFFER"] + counts["ASSESSMENT"]
assert s["notifications"] == n and s["notifications_new"] == n, (s["notifications"], s["notifications_new"])
assert s["events_total"] + s["dead_letters"] == s["messages"]
print("summary matches expected.csv:", s["events"])
P
# every message in PostgreSQL, labelled as expected
psqlq -F , -c "SELECT e.message_id, v.event_type, coalesce(v.company, ''),
    coalesce(to_char(v.scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')
    FROM \"$S\".emails e JOIN \"$S\".events v USING (key) ORDER BY 1" >"$T/rows.csv"
python3 - "$T/rows.csv" "$SRC/datasets/sample-mailbox/expected.csv" <<'P' || fail "rows differ from expected.csv"
import csv, sys
exp = {r["message_id"]: (r["label"], r["company"], r["scheduled_date"])
       for r in csv.DictReader(open(sys.argv[2]))}
got = {}
for line in open(sys.argv[1]):
    mid, t, c, d = line.rstrip("\n").split(",", 3)
    got[mid] = (t, c, d)
bad = [(m, got.get(m), e) for m, e in exp.items() if got.get(m) != e]
assert len(got) == len(exp) and not bad, bad
P
blocks=$(grep -c '^== ' "$RUN/notifications.txt")
[ "$blocks" = 17 ] || fail "notifications file has $blocks blocks, expected 17"
grep -q '^  when:     Tue 14 Oct 2025, 10:30 (America/New_York)\(, past\)\{0,1\}$' "$RUN/notifications.txt" ||
    fail "no local time in the notifications"
rows1=$(psqlq -c "SELECT (SELECT count(*) FROM \"$S\".emails), (SELECT count(*) FROM \"$S\".events),
    (SELECT max(updated_at) FROM \"$S\".events)")
ok "first run: 40 messages as expected.csv says, 17 notifications (${first_ms} ms)"

# second run: nothing new, nothing repeated, same summary
start=$(date +%s%N)
demo "$T/second.json" --mailbox "$T/sample.mbox" --timezone America/New_York
second_ms=$((($(date +%s%N) - start) / 1000000))
rows2=$(psqlq -c "SELECT (SELECT count(*) FROM \"$S\".emails), (SELECT count(*) FROM \"$S\".events),
    (SELECT max(updated_at) FROM \"$S\".events)")
[ "$rows1" = "$rows2" ] || fail "rows changed on the second run: $rows1 -> $rows2"
blocks=$(grep -c '^== ' "$RUN/notifications.txt")
[ "$blocks" = 17 ] || fail "second run printed notifications again ($blocks blocks)"
python3 - "$T/first.json" "$T/second.json" <<'P' || fail "second summary"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert b["messages_new"] == 0 and b["notifications_new"] == 0, b
for k in ("messages", "events", "interviews", "dead_letters", "notifications"):
    assert a[k] == b[k], (k, a[k], b[k])
P
ok "second run idempotent: same rows ($rows2), no notification repeated (${second_ms} ms)"

# the text summary; the zone from TZ as a zone file path (trial 6:
# TZ=:/... and TZ=:Zone gave UTC)
TZ=:/usr/share/zoneinfo/Europe/Berlin CAREEROPS_DEMO_SKIP_DEPS=1 bash "$SRC/scripts/demo.sh" --keep-db --mailbox "$T/sample.mbox" \
    --account "$(account_of "$T/sample.mbox")" >"$T/text.txt" 2>"$T/text.err" || fail "text run: $(tail -3 "$T/text.err")"
grep -q 'dates in Europe/Berlin:' "$T/text.txt" || fail "TZ=:/usr/share/zoneinfo/Europe/Berlin not used: $(grep 'dates in' "$T/text.txt")"
grep -q '^  INTERVIEW  *8$' "$T/text.txt" || fail "no INTERVIEW count line: $(cat "$T/text.txt")"
grep -q '^  Mon 27 Oct 2025 14:00 Stellwerk Digital' "$T/text.txt" || fail "interview not in Berlin time: $(cat "$T/text.txt")"
grep -q '^messages read  *0 this run: nothing new in the mailbox since it was last read$' "$T/text.txt" ||
    fail "no messages line: $(grep '^messages' "$T/text.txt")"
grep -q '^emails stored  *40 in PostgreSQL schema ' "$T/text.txt" || fail "no emails stored line"
# a rerun: nothing new, and not "all 17 were shown before" (repeats held
# back are never shown; trial 18)
grep -q '^No new notifications this run (the 17 interviews, offers and assessments stored were handled before: announced, or held back as repeats; ' "$T/text.txt" ||
    fail "no 'No new notifications' line: $(grep -i 'notification' "$T/text.txt")"
ok "text summary: counts and interviews in Europe/Berlin"
echo "figures: first run ${first_ms} ms, second run ${second_ms} ms (40 messages, demo.sh with build skipped)"
# --fresh over existing tables: no psql NOTICE/DETAIL ("drop cascades to
# ..."); the learned model was used (demo.sh fails without it)
demo "$T/refresh.json" --mailbox "$T/sample.mbox" --fresh
! grep -q 'NOTICE\|DETAIL\|drop cascades' "$T/refresh.json.err" ||
    fail "--fresh printed psql notices: $(grep -m 3 'NOTICE\|DETAIL' "$T/refresh.json.err")"
! grep -q 'no learned model' "$RUN/run.log" || fail "rules-classifier ran without its learned model"
ok "--fresh over existing tables: no psql notices; the learned model was used"
