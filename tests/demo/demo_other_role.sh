#!/usr/bin/env bash
# A rejection for another role at a company where an interview is ahead
# (trial 77): the application with the interview stays open (migration
# 17), and the summary's "Rejected by" names the rejected role, saying the
# other application goes on; --json has it in rejected_roles.
. "$(dirname "$0")/lib.sh"
mb=$T/other-role.mbox
msg() { # FROM-LINE-DATE DATE ID REFS SUBJECT BODY
    printf 'From talent@fernhollow.example %s\nFrom: Talent Team <talent@fernhollow.example>\n' "$1"
    printf 'To: Sam Rivera <sam.rivera@example.net>\nSubject: %s\nDate: %s\nMessage-ID: <%s@fernhollow.example>\n' "$5" "$2" "$3"
    [ -z "$4" ] || printf 'In-Reply-To: <%s@fernhollow.example>\nReferences: <%s@fernhollow.example>\n' "$4" "$4"
    printf '\nHi Sam,\n\n%s\n\nBest,\nFernhollow Robotics Talent Team\n\n' "$6"
}
{
    msg 'Mon Nov 23 09:00:00 2026' 'Mon, 23 Nov 2026 09:00:00 +0000' ack1 '' \
        'Your application to Fernhollow Robotics' \
        'Thank you for applying for the Platform Engineer role at Fernhollow Robotics. We have received your application and our team will review it.'
    msg 'Tue Dec  1 10:00:00 2026' 'Tue, 01 Dec 2026 10:00:00 +0000' inv1 ack1 \
        'Interview invitation: Platform Engineer' \
        "We'd like to invite you to a technical interview for the Platform Engineer role at Fernhollow Robotics on Thursday, 17 December 2026 at 14:00 CET (video call). Please confirm."
    msg 'Thu Dec  3 15:00:00 2026' 'Thu, 03 Dec 2026 15:00:00 +0000' rej1 '' \
        'Update on your application' \
        'Thank you for your interest in Fernhollow Robotics. Unfortunately we will not move forward with your application for the Data Analyst role.'
} >"$mb"
SCHEMAS+=("$(schema_of "$mb")")
export CAREEROPS_DEMO_NOW=2026-12-05T00:00:00Z
demo "$T/1.json" --mailbox "$mb" --fresh
python3 - "$T/1.json" <<'P' || fail "other role: $(cat "$T/1.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["rejected_roles"] == [{"company": "Fernhollow Robotics", "role": "Data Analyst"}], s["rejected_roles"]
assert any(i.get("company") == "Fernhollow Robotics" for i in s["interviews"]), s["interviews"]
P
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$mb" --account "$(account_of "$mb")" \
    >"$T/out.txt" 2>"$T/out.err" || fail "demo.sh exited $?: $(tail -n 5 "$T/out.err")"
grep -q "^Rejected by (1): Fernhollow Robotics (for Data Analyst; another application there goes on)$" "$T/out.txt" ||
    fail "the summary's rejection line: $(grep -A1 'Rejected by' "$T/out.txt")"
ok "a rejection for another role leaves the interview's application open; the summary names the role"
