#!/usr/bin/env bash
# The notifier through the real host with a research stage's output: events
# on classified_events and briefings on research_tasks (two mock sources, in
# whatever order the host interleaves them), briefing_wait_ms set: every
# INTERVIEW/OFFER/ASSESSMENT is notified exactly once, with its own
# briefing's summary and sources; other types are not notified; the same
# input read again from the start prints nothing again (console-sink's
# idempotency keys).
. "$(dirname "$0")/../common/cli.sh"
python3 - <<'P'
import json
types = ["INTERVIEW", "OFFER", "ASSESSMENT", "REJECTION", "OTHER"] * 4
with open("events.jsonl", "w") as ev, open("briefings.jsonl", "w") as br:
    for i, t in enumerate(types):
        k = f"{i:064x}"
        ev.write(json.dumps({"key": k, "value": {
            "schema": "careerops.event.v1", "event_type": t, "company": f"Company {i}",
            "role": "Engineer", "scheduled_date": "2025-10-14T14:30:00Z",
            "email": {"key": k, "subject": f"Subject {i}", "from": "hr@example.org"}}}) + "\n")
        if t in ("INTERVIEW", "OFFER", "ASSESSMENT"):
            br.write(json.dumps({"key": f"b{i}", "value": {
                "schema": "careerops.briefing.v1", "key": f"b{i}", "company": f"Company {i}",
                "event": {"key": k, "event_type": t}, "summary": f"Briefing for company {i}.",
                "sources": [{"title": f"News {i}", "url": f"https://news.example/{i}"}]}}) + "\n")
P
cat > m.json <<'J'
{"pipeline": "join", "kafka": {"bootstrap.servers": "embedded"}, "state": "file:state.json",
 "stages": [
  {"name": "events", "plugin": "mock-source", "output": "classified_events",
   "config": {"file": "events.jsonl", "batch": 3}},
  {"name": "briefings", "plugin": "mock-source", "output": "research_tasks",
   "config": {"file": "briefings.jsonl", "batch": 2}},
  {"name": "notify", "plugin": "notifier", "input": ["classified_events", "research_tasks"],
   "output": "notifications",
   "config": {"briefing_wait_ms": 600000, "timezone": "Europe/Paris",
              "briefing_url_template": "https://dash.example/b/{key}?c={company}"}},
  {"name": "out", "plugin": "console-sink", "input": "notifications",
   "config": {"path": "out.jsonl", "format": "jsonl"}}]}
J
"$B" run m.json --until-idle 2>run.log || fail "run: $(tail -3 run.log)"
python3 - <<'P' || fail "notifications"
import json
lines = [json.loads(l) for l in open("out.jsonl")]
notes = [json.loads(l["value"]) for l in lines]
assert len(notes) == 12, len(notes)
assert len({n["event_key"] for n in notes}) == 12
for n in notes:
    i = int(n["event_key"], 16)
    assert n["event_type"] in ("INTERVIEW", "OFFER", "ASSESSMENT"), n
    assert n["summary"] == f"Briefing for company {i}.", n
    assert n["sources"] == [{"title": f"News {i}", "url": f"https://news.example/{i}"}], n
    assert n["date_local"] == "2025-10-14T16:30:00+02:00", n
    assert n["briefing_url"] == f"https://dash.example/b/{n['event_key']}?c=Company%20{i}", n
print("12 notifications, each joined with its own briefing")
P
# again from the start of both inputs (renamed sources: no stored
# positions), same notifier and sink state: the sink prints nothing twice
"$B" run m.json --until-idle --set 'stages[0].name=events2' --set 'stages[1].name=briefings2' \
    2>run2.log || fail "second run: $(tail -3 run2.log)"
[ "$(wc -l <out.jsonl)" = 12 ] || fail "second run printed again: $(wc -l <out.jsonl) lines"
echo "ok: notifier joins events with briefings through the host; nothing repeated on a second run"
