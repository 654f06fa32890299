#!/usr/bin/env bash
# A new-user trial's (trial 18) scheduling-tool mail: "Saltfern Analytics
# <scheduling@goodtime.io>" asks the candidate to pick a time through a
# link; its footer names office hours ("Monday to Friday, 9:00 AM - 5:00
# PM ET") and the sending time ("Sent on Friday, December 4, 2026 at
# 10:30 AM ET"). It was an interview on Fri 11 Dec 09:00 with no company,
# and then missing from the summary. Now: company Saltfern Analytics (the
# display name of a scheduling tool's role address), no date ("(no date
# yet)"). A second, dated interview from a neutral address that names no
# company is listed in the summary and --json under "(not named)", not
# dropped because it has no application. A deadline extended by a later
# email replaces the first, and an assessment is no longer listed once its
# company rejected (trial 20).
. "$(dirname "$0")/lib.sh"
mb=$T/sched.mbox
python3 - "$mb" <<'PY'
import sys
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
def m(mid, frm, date, subj, body, bulk=False):
    e = EmailMessage()
    e["From"], e["To"], e["Subject"] = frm, "Sam Rivera <sam.rivera@example.org>", subj
    e["Message-ID"] = f"<{mid}@mail.example>"
    e["Date"] = format_datetime(datetime.fromisoformat(date))
    if bulk:
        e["List-Unsubscribe"] = "<https://goodtime.io/unsub/x>"
        e["Precedence"] = "bulk"
    e.set_content(body)
    return e.as_string()
msgs = [
    m("gt1", "Saltfern Analytics <scheduling@goodtime.io>", "2026-12-04T10:30:00-05:00",
      "Please pick a time for your interview with Saltfern Analytics",
      "Hi Sam,\n\nSaltfern Analytics would like to schedule your final-round interview for the\n"
      "Senior Analyst position. Please choose a time that works for you:\n\n"
      "https://goodtime.io/pick/saltfern-55\n\n"
      "Questions? Our recruiting coordinators are available Monday to Friday,\n"
      "9:00 AM - 5:00 PM ET.\n\nPlease do not reply to this automated message.\n"
      "Manage your email preferences | Unsubscribe | Privacy Policy\n"
      "Sent on Friday, December 4, 2026 at 10:30 AM ET\n", bulk=True),
    m("nc1", "Scheduling <notifications@mail.example>", "2026-12-04T11:00:00-05:00",
      "Your interview is confirmed",
      "Hi Sam,\n\nYour video interview for the Data Analyst position is confirmed for "
      "Tuesday, December 8, 2026 at 2:00 PM ET. The hiring manager will join from the "
      "link in your candidate portal.\n\nGood luck!\n"),
    # trial 20: a deadline extended by a later email replaces the first
    m("ob1", "Theo Brandt <theo.brandt@orchidbay.example>", "2026-12-03T10:30:00-05:00",
      "Your offer from Orchid Bay Software",
      "Hi Sam,\n\nWe're thrilled to offer you the Staff Engineer position at Orchid Bay "
      "Software! The formal offer letter is attached.\n\nWe'd love an answer by Wednesday.\n\n"
      "Best,\nTheo Brandt\nTalent Partner, Orchid Bay Software\n"),
    m("ob2", "Theo Brandt <theo.brandt@orchidbay.example>", "2026-12-04T10:00:00-05:00",
      "Re: Your offer from Orchid Bay Software",
      "Hi Sam,\n\nOf course - happy to give you more time. We've extended the deadline for "
      "your offer to Friday, December 11, 2026 at 5:00 PM ET.\n\nBest,\nTheo Brandt\n"
      "Talent Partner, Orchid Bay Software\n"),
    # trial 20: an assessment is no longer due once its company rejected
    m("no1", "Nimbus Orchard Engineering <eng-hiring@nimbus-orchard.example>",
      "2026-11-19T09:30:00-08:00", "Nimbus Orchard - take-home exercise",
      "Hi Sam,\n\nAs the next step for the Site Reliability Engineer position, we'd like you "
      "to complete a take-home exercise. Instructions are in the attached PDF.\n\n"
      "You have until December 14, 2026 to submit your solution.\n\nBest regards,\n"
      "Leo Nakamura\nEngineering Manager, Nimbus Orchard\n"),
    m("no2", "Nimbus Orchard Engineering <eng-hiring@nimbus-orchard.example>",
      "2026-12-01T09:30:00-08:00", "Nimbus Orchard - your application",
      "Hi Sam,\n\nThank you for your interest in the Site Reliability Engineer position. "
      "Unfortunately we have decided to move forward with other candidates, so there is no "
      "need to submit the take-home exercise.\n\nBest regards,\nLeo Nakamura\n"
      "Engineering Manager, Nimbus Orchard\n"),
]
with open(sys.argv[1], "w") as out:
    for text in msgs:
        out.write("From MAILER-DAEMON Fri Dec  4 00:00:00 2026\n")
        out.write("\n".join(">" + l if l.startswith("From ") else l
                            for l in text.rstrip("\n").split("\n")) + "\n\n")
PY
S=$(schema_of "$mb")
SCHEMAS+=("$S")
export CAREEROPS_DEMO_NOW=2026-12-04T00:00:00Z
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$mb" --account "$(account_of "$mb")" \
    --timezone America/New_York --fresh >"$T/out.txt" 2>"$T/out.err" ||
    fail "demo.sh exited $?: $(tail -n 5 "$T/out.err")"
psqlq -F $'\t' -c "SELECT event_type, coalesce(company, '-'), coalesce(scheduled_date::text, '-')
    FROM (SELECT event_type, company, doc->>'scheduled_date' AS scheduled_date, subject
          FROM \"$S\".events) e ORDER BY subject" >"$T/events.tsv"
python3 - "$T/out.txt" "$T/events.tsv" <<'P' || fail "$(cat "$T/events.tsv"; cat "$T/out.txt")"
import sys
out = open(sys.argv[1]).read()
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
assert ["INTERVIEW", "Saltfern Analytics", "-"] in rows, rows
assert ["INTERVIEW", "-", "2026-12-08T19:00:00Z"] in rows, rows
summary = out.partition("CareerOps demo summary")[2]
ivs = summary.split("Interviews (")[1].split("\n\n")[0]
assert ivs.startswith("2)"), ivs
assert "Tue 08 Dec 2026 14:00 (not named)" in ivs, ivs
assert "(no date yet)         Saltfern Analytics" in ivs, ivs
offers = summary.split("Offers (")[1].split("\n\n")[0]
assert offers.startswith("1)") and "Fri 11 Dec 2026 17:00 Orchid Bay Software" in offers, offers
assert "Assessments: none open (1 more left out: its company rejected you later)" in summary, summary
assert "Nimbus Orchard" in summary.split("Rejected by")[1], summary
# the notification sends the user to the message (the email's own date)
assert "Fri 11 Dec 2026, 09:00" not in out and "Fri 11 Dec 2026 09:00" not in out, out
assert "when:     Fri 4 Dec 2026, 10:30" not in out, out
assert "no time read (see the message); email sent Fri 4 Dec 2026, 10:30" in out, out
P
ok "office hours and the sending time are no interview time; the scheduling tool's sender names the company; an interview naming no company is listed"
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$mb" --account "$(account_of "$mb")" \
    --timezone America/New_York --json >"$T/out.json" 2>"$T/json.err" ||
    fail "demo.sh --json exited $?: $(tail -n 5 "$T/json.err")"
python3 - "$T/out.json" <<'P' || fail "--json: $(cat "$T/out.json")"
import json, sys
s = json.load(open(sys.argv[1]))
ivs = [(i["company"], i["date_utc"]) for i in s["interviews"]]
assert ivs == [(None, "2026-12-08T19:00:00Z"), ("Saltfern Analytics", None)], ivs
assert s["assessments"] == [] and s["assessments_closed"] == 1, s
assert [(o["company"], o["date_utc"]) for o in s["offers"]] == [
    ("Orchid Bay Software", "2026-12-11T22:00:00Z")], s["offers"]
P
ok "--json lists both interviews"
