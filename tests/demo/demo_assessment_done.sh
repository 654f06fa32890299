#!/usr/bin/env bash
# An assessment its company went on from (trial 81): an interview of the
# same company read after the assessment's deadline leaves it out of the
# summary's "Assessments" (its "(N more left out: ...)" counts it, --json
# has assessments_passed); one whose deadline is still ahead of the
# interview's email stays listed (a test and an interview may run side by
# side, as in the sample mailbox).
. "$(dirname "$0")/lib.sh"
mb=$T/assessment-done.mbox
msg() { # DOMAIN COMPANY FROM-LINE-DATE DATE ID SUBJECT BODY
    printf 'From talent@%s %s\nFrom: %s Talent <talent@%s>\n' "$1" "$3" "$2" "$1"
    printf 'To: Sam Rivera <sam.rivera@example.net>\nSubject: %s\nDate: %s\nMessage-ID: <%s@%s>\n' "$6" "$4" "$5" "$1"
    printf '\nHi Sam,\n\n%s\n\nBest,\n%s Talent Team\n\n' "$7" "$2"
}
{
    msg tilbury.example 'Tilbury Maps' 'Mon Nov 23 09:00:00 2026' 'Mon, 23 Nov 2026 09:00:00 +0000' a1 \
        'Tilbury Maps - take-home exercise' \
        'Thanks for your interest in Tilbury Maps. As the next step, please complete our take-home coding exercise and submit your solution by Thursday, 3 December 2026 at 23:59 UTC.'
    msg tilbury.example 'Tilbury Maps' 'Fri Dec  4 10:00:00 2026' 'Fri, 04 Dec 2026 10:00:00 +0000' i1 \
        'Tilbury Maps - next step: technical interview' \
        "We'd like to invite you to a technical interview at Tilbury Maps on Wednesday, 16 December 2026 at 16:00 UTC (video call). Please confirm."
    msg quayside.example 'Quayside Labs' 'Tue Dec  1 09:00:00 2026' 'Tue, 01 Dec 2026 09:00:00 +0000' a2 \
        'Quayside Labs - online assessment' \
        'Thanks for applying to Quayside Labs. Please complete our online coding assessment by Friday, 11 December 2026 at 18:00 UTC.'
    msg quayside.example 'Quayside Labs' 'Wed Dec  2 10:00:00 2026' 'Wed, 02 Dec 2026 10:00:00 +0000' i2 \
        'Quayside Labs - interview invitation' \
        "We'd like to invite you to an interview with our hiring manager at Quayside Labs on Tuesday, 15 December 2026 at 15:00 UTC (video call). Please confirm."
    # an offer and its reminder (trial 82: printed twice)
    msg marlow.example 'Marlow Bank' 'Mon Nov 30 09:00:00 2026' 'Mon, 30 Nov 2026 09:00:00 +0000' o1 \
        'Your offer from Marlow Bank' \
        "We are delighted to offer you the position of Platform Engineer at Marlow Bank. Please let us know your decision by Friday, 11 December 2026."
    msg marlow.example 'Marlow Bank' 'Thu Dec  3 09:00:00 2026' 'Thu, 03 Dec 2026 09:00:00 +0000' o2 \
        'Reminder: your offer from Marlow Bank' \
        "A reminder that we are delighted to offer you the position of Platform Engineer at Marlow Bank. Please let us know your decision by Friday, 11 December 2026."
} >"$mb"
SCHEMAS+=("$(schema_of "$mb")")
export CAREEROPS_DEMO_NOW=2026-12-05T00:00:00Z
demo "$T/1.json" --mailbox "$mb" --fresh
python3 - "$T/1.json" <<'P' || fail "assessments: $(cat "$T/1.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert [a["company"] for a in s["assessments"]] == ["Quayside Labs"], s["assessments"]
assert s["assessments_passed"] == 1, s["assessments_passed"]
assert s["notifications_repeated_deadlines"] == 1, s
# 2 interviews, 2 assessments, the offer once (not its reminder)
assert s["notifications_new"] == 5, s["notifications_new"]
P
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$mb" --account "$(account_of "$mb")" \
    >"$T/out.txt" 2>"$T/out.err" || fail "demo.sh exited $?: $(tail -n 5 "$T/out.err")"
grep -q "^Assessments (1), due dates in UTC (1 more left out: an interview or offer of its company followed):$" "$T/out.txt" ||
    fail "the summary's assessments: $(grep -A2 'Assessments' "$T/out.txt")"
ok "an assessment followed by an interview after its deadline is left out; one still due stays; an offer's reminder is not printed again"
