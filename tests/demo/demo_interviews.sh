#!/usr/bin/env bash
# A new-user trial's mailbox (December 2026, --timezone America/Denver):
# an interview rescheduled by text ("Previously: ... / New time: ...") is
# listed once, at the new time; the user's own reply above the quoted
# invitation adds no interview and no second notification of it; an offer's
# date reads "reply by", an assessment's "due" (notification and summary);
# the summary lists offers, assessments and the companies that rejected;
# a calendar CANCEL (whatever its label) and a rejection before the time
# cancel an interview, a move without a link keeps the link;
# `careerops applications` and --ics show the new time only; the
# notifier says "Cancelled: ..." once for each cancelled interview.
# a deadline given as a date without a time reads as that day, "(no time
# given)", in the summary and the notification (trials 11 and 17), never
# "no date given"; the user's own reply naming
# company and time is not printed and the counts say so; demo.sh --model
# classifies with the given model; a rejection naming no company is
# counted apart, not listed as "?".
. "$(dirname "$0")/lib.sh"
mb=$T/trial.mbox
python3 - "$mb" <<'PY'
import sys
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
out = open(sys.argv[1], "w")
me = "Sam Rivera <sam.rivera@example.net>"
def m(mid, frm, to, date, subj, body, irt=None, ics=None):
    e = EmailMessage()
    e["From"], e["To"], e["Subject"] = frm, to, subj
    e["Message-ID"] = f"<{mid}@mail.example.net>"
    e["Date"] = format_datetime(datetime.fromisoformat(date))
    if irt:
        e["In-Reply-To"] = e["References"] = f"<{irt}@mail.example.net>"
    e.set_content(body)
    if ics:  # (METHOD, SEQUENCE): Orbitly's invitation as a calendar part
        e.add_alternative(
            "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
            f"VERSION:2.0\r\nMETHOD:{ics[0]}\r\nBEGIN:VEVENT\r\n"
            "DTSTART:20261216T210000Z\r\nDTEND:20261216T220000Z\r\nDTSTAMP:20261201T160000Z\r\n"
            "ORGANIZER;CN=Orbitly Recruiting:mailto:recruiting@orbitly.example\r\n"
            "UID:7f3a9c21e4b04d10@google.com\r\n"
            f"SEQUENCE:{ics[1]}\r\nSTATUS:{'CANCELLED' if ics[0] == 'CANCEL' else 'CONFIRMED'}\r\n"
            "SUMMARY:Interview: Sam Rivera / Orbitly - Platform Engineer\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n", subtype="calendar",
            params={"method": ics[0]})
    lines = e.as_string().rstrip("\n").split("\n")
    out.write("From MAILER-DAEMON Thu Dec  3 00:00:00 2026\n")
    out.write("\n".join(">" + l if l.startswith("From ") else l for l in lines) + "\n\n")
m("sr1", "Dana Cole <dana@summitridge.example>", me, "2026-12-01T09:00:00-07:00",
  "Interview invitation - Data Engineer at Summit Ridge Analytics",
  "Hi Sam,\n\nThank you for applying to the Data Engineer role at Summit Ridge Analytics. "
  "We would like to invite you to a video interview on Tuesday, December 8 at 2:00 PM "
  "Mountain Time.\n\nBest,\nDana Cole\nRecruiting, Summit Ridge Analytics\n")
m("sr2", "Dana Cole <dana@summitridge.example>", me, "2026-12-03T09:00:00-07:00",
  "Interview rescheduled - Data Engineer at Summit Ridge Analytics",
  "Hi Sam,\n\nOur hiring manager has a conflict, so we need to move your interview for the "
  "Data Engineer role at Summit Ridge Analytics.\n\nPreviously: Tuesday, December 8 at 2:00 PM "
  "Mountain Time\nNew time: Wednesday, December 9 at 10:30 AM Mountain Time\n\n"
  "Sorry for the change.\nDana Cole\nRecruiting, Summit Ridge Analytics\n", irt="sr1")
m("hb1", "Harborline Talent <talent@harborline.example>", me, "2026-12-02T08:00:00-06:00",
  "Interview invitation: Backend Engineer at Harborline",
  "Hello Sam,\n\nWe are pleased to invite you to an interview for the Backend Engineer "
  "position at Harborline on Thursday, December 10 at 10:00 AM Central Time.\n\n"
  "Kind regards,\nHarborline Talent Team\n")
m("hb2", me, "Harborline Talent <talent@harborline.example>", "2026-12-02T10:00:00-06:00",
  "Re: Interview invitation: Backend Engineer at Harborline",
  "Thanks, that works for me. See you then!\n\nSam\n\nOn Wed, Dec 2, 2026 at 8:00 AM "
  "Harborline Talent <talent@harborline.example> wrote:\n> Hello Sam,\n>\n> We are pleased "
  "to invite you to an interview for the Backend Engineer position at Harborline on "
  "Thursday, December 10 at 10:00 AM Central Time.\n>\n> Kind regards,\n> Harborline Talent Team\n",
  irt="hb1")
m("bf1", "Bluefin Logistics HR <hr@bluefin.example>", me, "2026-12-03T12:00:00-05:00",
  "Your offer from Bluefin Logistics - Platform Engineer",
  "Dear Sam,\n\nWe are delighted to offer you the position of Platform Engineer at Bluefin "
  "Logistics. Please review the attached offer letter and sign it by Friday, December 11 "
  "at 5:00 PM ET.\n\nWarm regards,\nBluefin Logistics HR\n")
m("qd1", "Quarry Data Hiring <hiring@quarrydata.example>", me, "2026-12-02T11:00:00+00:00",
  "Coding assessment - Quarry Data",
  "Hi Sam,\n\nAs the next step for the Software Engineer role at Quarry Data, please complete "
  "the online coding assessment by Monday, December 14 at 11:59 PM UTC.\n\nThanks,\n"
  "Quarry Data Hiring\n")
m("oa1", "Oakfield Careers <careers@oakfield.example>", me, "2026-12-02T15:00:00+00:00",
  "Your application to Oakfield Systems",
  "Dear Sam,\n\nThank you for your interest in the Site Reliability Engineer position at "
  "Oakfield Systems. Unfortunately, we have decided to move forward with other candidates.\n\n"
  "Best wishes,\nOakfield Careers\n")
# what cancels an interview (docs/applications.md): a calendar CANCEL of
# the invitation's UID (Google's, whatever label it gets), a rejection
# before the interview's time; a move by text without a link keeps it
m("or1", "Orbitly Recruiting <recruiting@orbitly.example>", me, "2026-12-01T09:00:00-07:00",
  "Invitation: Interview: Sam Rivera / Orbitly - Platform Engineer @ Wed Dec 16, 2026 2pm - 3pm (MST)",
  "Hi Sam,\n\nWe would like to invite you to an interview for the Platform Engineer role at "
  "Orbitly on Wednesday, December 16 at 2:00 PM Mountain Time.\n\nOrbitly Recruiting\n",
  ics=("REQUEST", 0))
m("or2", "Google Calendar <calendar-notification@google.com>", me, "2026-12-03T14:00:00-07:00",
  "Canceled event: Interview: Sam Rivera / Orbitly - Platform Engineer @ Wed Dec 16, 2026 2pm - 3pm (MST)",
  "This event has been canceled and removed from your calendar.\n\n"
  "Interview: Sam Rivera / Orbitly - Platform Engineer\nWednesday Dec 16, 2026 2pm - 3pm (MST)\n",
  ics=("CANCEL", 1))
m("rg1", "Priya Nair <priya@ridgeline.example>", me, "2026-12-01T10:00:00-07:00",
  "Interview invitation - Senior Data Engineer at Ridgeline Analytics",
  "Hi Sam,\n\nThank you for applying to the Senior Data Engineer role at Ridgeline Analytics. "
  "We would like to invite you to an interview on Friday, December 11 at 10:00 AM Mountain "
  "Time.\n\nBest,\nPriya Nair\nRidgeline Analytics\n")
m("rg2", "Priya Nair <priya@ridgeline.example>", me, "2026-12-03T11:00:00-07:00",
  "Update on your application - Ridgeline Analytics",
  "Hi Sam,\n\nUnfortunately we need to cancel your interview on Friday, December 11: we have "
  "filled the position and will not be moving forward with your application.\n\n"
  "We wish you the best in your search.\nPriya Nair\nRidgeline Analytics\n", irt="rg1")
m("fh1", "Fernhill Systems Talent <talent@fernhill.example>", me, "2026-12-01T11:00:00-07:00",
  "Interview invitation: Backend Engineer at Fernhill Systems",
  "Hi Sam,\n\nWe would like to invite you to a video interview for the Backend Engineer role at "
  "Fernhill Systems on Tuesday, December 15 at 1:00 PM Mountain Time.\n\n"
  "Join: https://zoom.us/j/5551234567\n\nFernhill Systems Talent\n")
m("fh2", "Fernhill Systems Talent <talent@fernhill.example>", me, "2026-12-02T11:00:00-07:00",
  "Interview rescheduled: Backend Engineer at Fernhill Systems",
  "Hi Sam,\n\nWe need to move your interview for the Backend Engineer role at Fernhill "
  "Systems.\n\nPreviously: Tuesday, December 15 at 1:00 PM Mountain Time\nNew time: "
  "Wednesday, December 16 at 3:00 PM Mountain Time\n\nSame link.\n\nFernhill Systems Talent\n",
  irt="fh1")
# trial 11: the user's own reply naming company and time (the same
# interview: not printed, and the counts say so); deadlines given as a date
# without a time (not read: the summary says "no time read", not "no date")
m("sr3", me, "Dana Cole <dana@summitridge.example>", "2026-12-03T11:00:00-07:00",
  "Re: Interview rescheduled - Data Engineer at Summit Ridge Analytics",
  "Hi Dana,\n\nThanks, confirming my interview with Summit Ridge Analytics on Wednesday, "
  "December 9 at 10:30 AM Mountain Time.\n\nSam\n", irt="sr2")
m("bw1", "Brightwater Labs Recruiting <jobs@brightwater.example>", me, "2026-12-03T10:00:00-07:00",
  "Your offer from Brightwater Labs - Platform Engineer",
  "Dear Sam,\n\nWe are delighted to offer you the position of Platform Engineer at Brightwater "
  "Labs. Please let us know your decision by Friday, December 18, 2026.\n\nBest,\n"
  "Brightwater Labs Recruiting\n")
# an offer whose date is a call about it, not a deadline (note 18: shown
# as "reply by")
m("lk1", "Dana Whitfield <dana.whitfield@larkspur.example>", me, "2026-12-03T09:00:00-05:00",
  "Your offer from Larkspur Analytics - Data Engineer",
  "Hi Sam,\n\nI'm delighted to let you know that we would like to offer you the position of "
  "Data Engineer at Larkspur Analytics. Could we set up a call on Thursday, December 10 at "
  "2:00 PM ET to walk you through the compensation package?\n\nBest,\nDana Whitfield\n"
  "Head of Talent, Larkspur Analytics\n")
m("vn1", "Vantor Hiring <hiring@vantor.example>", me, "2026-12-02T09:00:00-07:00",
  "Take-home assessment - Vantor",
  "Hi Sam,\n\nAs the next step for the Backend Engineer role at Vantor, please complete the "
  "take-home coding assessment, due by December 9, 2026.\n\nThanks,\nVantor Hiring\n")
PY
S=$(schema_of "$mb")
SCHEMAS+=("$S")
A=$(account_of "$mb")
export CAREEROPS_DEMO_NOW=2026-12-04T00:00:00Z
bash "$SRC/scripts/demo.sh" --keep-db --mailbox "$mb" --account "$A" --timezone America/Denver \
    --fresh >"$T/out.txt" 2>"$T/out.err" || fail "demo.sh exited $?: $(tail -n 5 "$T/out.err")"
python3 - "$T/out.txt" "$SRC/.run/demo/$S/notifications.txt" <<'P' || fail "the summary: $(cat "$T/out.txt")"
import re, sys
out = open(sys.argv[1]).read()
notes = open(sys.argv[2]).read()
head, _, summary = out.partition("CareerOps demo summary")
ivs = summary.split("Interviews (")[1].split("\n\n")[0]
assert ivs.startswith("3), dates in America/Denver:"), ivs
# the command the summary gives keeps the zone (trial 76)
assert re.search(r"applications --schema \S+ --timezone America/Denver\n", summary), summary
assert "Wed 09 Dec 2026 10:30 Summit Ridge Analytics" in ivs, ivs
assert "Tue 08 Dec" not in ivs, ivs
assert ivs.count("Harborline") == 1 and "Thu 10 Dec 2026 09:00 Harborline" in ivs, ivs
# cancelled: Orbitly's by the calendar CANCEL, Ridgeline's by the rejection;
# Fernhill's at its new time only
assert "Orbitly" not in ivs and "Ridgeline" not in ivs, ivs
assert "Wed 16 Dec 2026 15:00 Fernhill Systems" in ivs and "Tue 15 Dec" not in ivs, ivs
# one notification per Harborline interview (the reply says nothing new)
assert head.count("== Interview with Harborline") == 1, head
# (the reply has no company here: a reply without a company is never
# announced, plugins/notifier/README.md)
assert notes.count("Thu 10 Dec 2026, 09:00") == 1, notes
# deadlines: "reply by" / "due", never "scheduled"
assert "  reply by: Fri 11 Dec 2026, 15:00 (America/Denver)" in head, head
assert "  due:      Mon 14 Dec 2026, 16:59 (America/Denver)" in head, head
assert "Bluefin Logistics for Platform Engineer, reply by 2026-12-11T15:00:00-07:00" in head, head
assert "Bluefin Logistics, scheduled" not in head, head
offers = summary.split("Offers (")[1].split("\n\n")[0]
assert re.match(r"3\), dates in America/Denver \(reply by: the deadline; call: a call about the offer\):\n"
                r"  call Thu 10 Dec 2026 12:00 +Larkspur Analytics .*\n"
                r"  reply by Fri 11 Dec 2026 15:00 +Bluefin Logistics", offers), offers
assert "  call:     Thu 10 Dec 2026, 12:00 (America/Denver)" in notes, notes
assert "Larkspur Analytics for Data Engineer, call about it 2026-12-10T12:00:00-07:00" in notes, notes
assert re.search(r"\n  reply by Fri 18 Dec 2026 \(no time given\) +Brightwater Labs", offers), offers
assessments = summary.split("Assessments (")[1].split("\n\n")[0]
assert re.match(r"2\), due dates in America/Denver:\n  due Wed 09 Dec 2026 \(no time given\) +Vantor .*\n"
                r"  due Mon 14 Dec 2026 16:59 +Quarry Data", assessments), assessments
assert "no date given" not in out, out
# the notifications of the deadlines given as a day show the day
assert "  reply by: Fri 18 Dec 2026 (no time given)\n" in notes, notes
assert "  due:      Wed 9 Dec 2026 (no time given)\n" in head, head
assert "no time read" not in head, head
# the own reply (Summit Ridge at 10:30 again) is not printed, and the
# counts say why (Harborline's reply without a company may be one too:
# not printed when handled after the invitation)
m = re.search(r"^notifications +(\d+)  \((\d+) printed this run(?: and (\d+) "
              r"cancellation notices?)?(.*)\)$", summary, re.M)
assert m, summary
# printed: the events printed; the cancellation notices apart (trial 36)
total, printed, why = int(m.group(1)), int(m.group(2)), m.group(4)
printed_cancels = int(m.group(3) or 0)
# the notifier tells each cancelled interview it announced, once (trial
# 12): Orbitly's by Google's calendar cancel (labelled OTHER), Ridgeline's
# by the rejection; either alone when the cancel was handled first
assert notes.count("== Cancelled: ") == 2, notes
assert notes.count("== Cancelled: Orbitly interview Wed 16 Dec 2026, 14:00 ==") == 1, notes
assert notes.count("== Cancelled: Ridgeline Analytics interview Fri 11 Dec 2026, 10:00 ==") == 1, notes
assert notes.count("== Interview with Orbitly") <= 1 and notes.count("== Interview with Ridgeline") <= 1, notes
# the company-less reply (Harborline's "Re:") is never printed now, in
# either order: both own replies are not printed. demo.sh counts the two
# "Cancelled" notices as printed notifications (not its events), so its
# "not printed" explanation is given only when its sum holds (a cancel
# handled first replaces an invitation): either form is accepted here
# A cancel handled before its invitation replaces it (one notice): those
# invitations are not printed either
cancels = notes.count("== Cancelled: ")
replaced = 2 - notes.count("== Interview with Orbitly") - notes.count("== Interview with Ridgeline")
# a move handled before the invitation it moves ("(new time)" that cannot
# say "moved from") keeps that invitation from being printed (trial 23)
superseded = sum(1 for b in notes.split("\n\n")
                 if "(new time) ==" in b and ", moved to " in b)
assert printed + replaced + superseded == total - 2, (m.group(0), notes)
# demo.sh names the cancellation notices apart from the events printed
assert printed_cancels == cancels, (m.group(0), notes)
# every event not printed is accounted for (trial 22: some were not), and
# printed + not printed is the total
wm = re.fullmatch(r"; (\d+) not printed: (.*)", why)
assert wm and int(wm.group(1)) == total - printed, m.group(0)
kinds = ("your own repl", "the same interview", "held back by the notifier")
parts = re.split(r", (?=\d+ )", wm.group(2))
if len(parts) == 1:
    assert parts[0].startswith(kinds), m.group(0)
else:
    assert sum(int(p.split()[0]) for p in parts) == int(wm.group(1)), m.group(0)
    assert all(p.split(" ", 1)[1].startswith(kinds) for p in parts), m.group(0)
assert head.count("Wed 9 Dec 2026, 10:30") == 1, head
assert "Rejected by (2): Oakfield Systems, Ridgeline Analytics" in summary, summary
P
ok "summary: the rescheduled interview once at its new time, the reply adds nothing, the cancelled ones (calendar CANCEL, rejection) left out, offers/assessments/rejections listed with reply-by and due"

export CAREEROPS_STATE=$CAREEROPS_TEST_PG
"$CAREEROPS_BIN" applications --schema "$S" --timezone America/Denver --now "$CAREEROPS_DEMO_NOW" >"$T/apps.txt"
grep -q '^Summit Ridge Analytics .*Wed 09 Dec 2026 10:30$' "$T/apps.txt" ||
    fail "applications: Summit Ridge's next interview: $(cat "$T/apps.txt")"
grep -q '^Orbitly .*INTERVIEWING  *2026-12-01  *2026-12-01  *$' "$T/apps.txt" ||
    fail "applications: Orbitly's cancelled interview is shown: $(cat "$T/apps.txt")"
grep -q '^Ridgeline Analytics .*REJECTED  *2026-12-01  *2026-12-03  *$' "$T/apps.txt" ||
    fail "applications: Ridgeline's cancelled interview is shown: $(cat "$T/apps.txt")"
grep -q '^Fernhill Systems .*Wed 16 Dec 2026 15:00$' "$T/apps.txt" ||
    fail "applications: Fernhill's next interview: $(cat "$T/apps.txt")"
"$CAREEROPS_BIN" applications --schema "$S" --ics --now "$CAREEROPS_DEMO_NOW" >"$T/out.ics"
n=$(grep -c '^BEGIN:VEVENT' "$T/out.ics")
[ "$n" = 3 ] || fail "--ics has $n VEVENTs, want 3 (Summit Ridge's and Fernhill's new times, Harborline once): $(cat "$T/out.ics")"
grep -q '^DTSTART:20261209T173000Z' "$T/out.ics" || fail "--ics lacks the new time"
! grep -q '^DTSTART:20261208T210000Z' "$T/out.ics" || fail "--ics still has the old slot"
! grep -q 'Orbitly\|Ridgeline' "$T/out.ics" || fail "--ics has a cancelled interview: $(cat "$T/out.ics")"
# Fernhill's new time ("Same link.") keeps the invitation's Zoom link
python3 - "$T/out.ics" <<'P' || fail "--ics: Fernhill's moved interview has no join link: $(cat "$T/out.ics")"
import re, sys
ics = re.sub(r"\r?\n[ \t]", "", open(sys.argv[1]).read())
ev = [e for e in ics.split("BEGIN:VEVENT")[1:] if "Fernhill" in e]
assert len(ev) == 1 and "DTSTART:20261216T220000Z" in ev[0], ev
assert "URL:https://zoom.us/j/5551234567" in ev[0], ev
P
ok "careerops applications and --ics: the new time only, Harborline once, no cancelled interview, the moved one keeps its link"

# again: nothing new, the same summary sections
# (with --model: a model careerops train wrote, here the bundled one copied)
cp "$CAREEROPS_BUILD_ROOT/plugins/rules-classifier/classifier.model" "$T/my.model"
bash "$SRC/scripts/demo.sh" --keep-db --mailbox "$mb" --account "$A" --timezone America/Denver \
    --json --model "$T/my.model" >"$T/again.json" 2>"$T/again.err" || fail "second run: $(tail -n 5 "$T/again.err")"
grep -q "model $T/my.model (decision" "$SRC/.run/demo/$S/run.log" ||
    fail "--model: the classifier did not load $T/my.model: $(grep -o 'rules-classifier: [^"]*model [^"]*' "$SRC/.run/demo/$S/run.log")"
python3 - "$T/again.json" <<'P' || fail "--json: $(cat "$T/again.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert [(i["company"], i["date_utc"]) for i in s["interviews"]] == [
    ("Summit Ridge Analytics", "2026-12-09T17:30:00Z"), ("Harborline", "2026-12-10T16:00:00Z"),
    ("Fernhill Systems", "2026-12-16T22:00:00Z")], s["interviews"]
assert [(o["company"], o["date_utc"], o["call"]) for o in s["offers"]] == [
    ("Bluefin Logistics", "2026-12-11T22:00:00Z", False), ("Brightwater Labs", None, False),
    ("Larkspur Analytics", "2026-12-10T19:00:00Z", True)], s["offers"]
assert [(o["company"], o["date_utc"]) for o in s["assessments"]] == [("Quarry Data", "2026-12-14T23:59:00Z"), ("Vantor", None)], s["assessments"]
assert [o["due_date"] for o in s["assessments"]] == [None, "2026-12-09"], s["assessments"]
assert s["notifications_repeated"] >= 1, s
assert s["rejected_by"] == ["Oakfield Systems", "Ridgeline Analytics"], s["rejected_by"]
assert s["notifications_new"] == 0, s
P
ok "--json: interviews, offers, assessments, rejected_by"

# the account remembers --model (trial 37: a later run went back to the
# bundled model); --model bundled forgets it
bash "$SRC/scripts/demo.sh" --keep-db --mailbox "$mb" --account "$A" >"$T/again2.txt" 2>"$T/again2.err" ||
    fail "third run: $(tail -n 5 "$T/again2.err")"
grep -q "classifying with your model $T/my.model (given with --model on an earlier run" "$T/again2.err" ||
    fail "not told of the remembered model: $(cat "$T/again2.err")"
grep -q "model $T/my.model (decision" "$SRC/.run/demo/$S/run.log" ||
    fail "the remembered model was not loaded: $(grep -o 'rules-classifier: [^"]*model [^"]*' "$SRC/.run/demo/$S/run.log")"
bash "$SRC/scripts/demo.sh" --keep-db --mailbox "$mb" --account "$A" --json --model bundled >"$T/again3.json" 2>"$T/again3.err" ||
    fail "--model bundled: $(tail -n 5 "$T/again3.err")"
! grep -q "model $T/my.model (decision" "$SRC/.run/demo/$S/run.log" ||
    fail "--model bundled still loaded $T/my.model"
[ ! -e "$SRC/.run/demo/$S/model.txt" ] || fail "--model bundled did not forget the model"
ok "the account remembers --model; --model bundled goes back to the bundled one"

# a rejection that names no company (a "Hiring Team" at a bare domain): it
# is counted apart, never listed as a company "?" (a new-user trial)
cat >"$T/nameless.mbox" <<'MB'
From jobs@mail.example Mon Mar  3 10:00:00 2025
From: Hiring Team <jobs@mail.example>
To: Alex Doe <alex@inbox.test>
Subject: Your application
Date: Mon, 3 Mar 2025 10:00:00 +0000
Message-ID: <rej-1@mail.example>

Hi Alex,

Thank you for applying. Unfortunately, we have decided not to move forward
with your application at this time. We wish you the best in your search.

Best,
Hiring Team

From jobs@mail.example Tue Mar 11 09:00:00 2025
From: Hiring Team <jobs@mail.example>
To: Alex Doe <alex@inbox.test>
Subject: Update on your application
Date: Tue, 11 Mar 2025 09:00:00 +0000
Message-ID: <rej-2@mail.example>

Dear Alex,

After careful review we will not be moving forward with your candidacy.
Thank you for your interest.

Hiring Team

MB
SCHEMAS+=("$(schema_of "$T/nameless.mbox")")
demo "$T/nameless.json" --fresh --mailbox "$T/nameless.mbox"
python3 - "$T/nameless.json" <<'P' || fail "a nameless rejection: $(head -c 500 "$T/nameless.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["events"]["REJECTION"] == 2, s["events"]
# each counted (the summary's rows fold rejections per company and date: a
# trial counted 1 of 2)
assert s["rejected_by"] == [] and s["rejections_unnamed"] == 2, (s["rejected_by"], s["rejections_unnamed"])
P
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$T/nameless.mbox" \
    --account "$(account_of "$T/nameless.mbox")" >"$T/nameless.txt" 2>/dev/null ||
    fail "demo.sh (text) exited $?"
grep -q '^Rejections: 2, naming no company$' "$T/nameless.txt" &&
    ! grep -i 'reject' "$T/nameless.txt" | grep -q '?' ||
    fail "the text summary: $(grep -i -A1 'reject' "$T/nameless.txt")"
ok "two rejections naming no company: rejections_unnamed 2, 'Rejections: 2, naming no company', no '?'"

# the dashboard's /api/interviews: each interview once as well
command -v curl >/dev/null || { echo "SKIP: curl is missing (dashboard check)"; exit 0; }
. "$(dirname "$0")/../lib/serve_api.sh"
serve_api "$S" /api/interviews "$T/ivs.json"
python3 - "$T/ivs.json" <<'P' || fail "/api/interviews: $(cat "$T/ivs.json")"
import json, sys
got = sorted(i["scheduled_at"][:16] for i in json.load(open(sys.argv[1])))
assert got == ["2026-12-09T17:30", "2026-12-10T16:00", "2026-12-16T22:00"], got
P
ok "the dashboard's /api/interviews: the new time only, Harborline once, no cancelled interview"
