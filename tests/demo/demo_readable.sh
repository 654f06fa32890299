#!/usr/bin/env bash
# Readable notifications in the demo's output, on the sample mailbox with
# "now" set to 20 Oct 2025 (CAREEROPS_DEMO_NOW): the notifications printed
# in date order, the email's date where no date is given, interviews before
# now marked past (in the notifications and the summary, and "past" in
# --json), no 64-hex event key unless --verbose.
. "$(dirname "$0")/lib.sh"
cp "$SRC/datasets/sample-mailbox/sample.mbox" "$T/sample.mbox"
S=$(schema_of "$T/sample.mbox")
SCHEMAS+=("$S")
A=$(account_of "$T/sample.mbox")
export CAREEROPS_DEMO_NOW=2025-10-20T00:00:00Z
text() {
    local out=$1
    shift
    bash "$SRC/scripts/demo.sh" --keep-db --mailbox "$T/sample.mbox" --account "$A" \
        --timezone America/New_York --fresh "$@" >"$out" 2>"$out.err" ||
        fail "demo.sh $* exited $?: $(tail -n 5 "$out.err")"
}
text "$T/plain.txt"
python3 - "$T/plain.txt" <<'P' || fail "readable notifications: $(head -c 3000 "$T/plain.txt")"
import re, sys
from datetime import datetime
out = open(sys.argv[1]).read()
head, _, summary = out.partition("CareerOps demo summary")
whens = re.findall(r"^  (?:when|due|reply by): +(.*)$", head, re.M)
assert len(whens) == 12, whens  # the first 12 of 17
def t(w):
    # a deadline given as a day ("Mon 20 Oct 2025 (no time given)"): its end
    m = re.match(r"(?:no time read \(see the message\); email sent )?\w{3} (\d{1,2}) (\w{3}) (\d{4})"
                 r"(?:, (\d\d):(\d\d)| \(no time given\))", w)
    d, mo, y, hh, mm = m.groups()
    return datetime.strptime(f"{d} {mo} {y} {hh or 23} {mm or 59}", "%d %b %Y %H %M")
times = [t(w) for w in whens]
assert times == sorted(times), whens
# 17 new: the 12 soonest still ahead of now shown (the 14 Oct interview,
# gone by, is only in the notifications file; trial 21)
assert whens[0] == "Mon 20 Oct 2025 (no time given)", whens
assert not any(w.endswith(", past") for w in whens), whens
assert re.search(r"^\.\.\. and 5 more in .*notifications\.txt \(shown: the soonest still "
                 r"ahead, then the latest gone by\)$", head, re.M), head
assert "Thu 23 Oct 2025, 14:00 (America/New_York)" in whens, whens
assert any(w.startswith("no time read (see the message); email sent ") for w in whens), whens
assert "Mon 20 Oct 2025 (no time given)" in whens, whens
assert not re.search(r"\b[0-9a-f]{64}\b", out), "a 64-hex key in the output"
assert re.search(r"^  Tue 14 Oct 2025 10:30 Saltmarsh Robotics .*\(past\)$", summary, re.M), summary
assert re.search(r"^  Thu 23 Oct 2025 14:00 Glasswing Analytics +Data Platform Engineer$", summary, re.M), summary
print("in date order:", whens[0], "...", whens[-1])
P
grep -q '^  when:     Tue 14 Oct 2025, 10:30 (America/New_York), past$' "$SRC/.run/demo/$S/notifications.txt" ||
    fail "the 14 Oct interview is not marked past in the notifications file"
! grep -Eq '[0-9a-f]{64}' "$SRC/.run/demo/$S/notifications.txt" || fail "a 64-hex key in the notifications file"
ok "date order, the email's date when none is given, past marked, no event key"

text "$T/verbose.txt" --verbose
n=$(grep -Ec '^  key:      [0-9a-f]{64}$' "$T/verbose.txt" || true)
[ "$n" = 12 ] || fail "--verbose printed $n event keys, expected 12"
ok "--verbose prints the event keys"

demo "$T/s.json" --mailbox "$T/sample.mbox"
python3 - "$T/s.json" <<'P' || fail "past in --json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["now"].startswith("2025-10-20T00:00:00"), s["now"]
past = {(i["company"], i["date_utc"]): i["past"] for i in s["interviews"]}
assert past[("Saltmarsh Robotics", "2025-10-14T14:30:00Z")] is True, past
assert past[("Glasswing Analytics", "2025-10-23T18:00:00Z")] is False, past
assert [i["past"] for i in s["interviews"]].count(True) == 2, past
# a deadline given as a day is past only after that day in the user's
# zone: "now" is still 19 Oct in New York, Larkspur's test is due 20 Oct
due = {d["company"]: d["past"] for d in s["assessments"] + s["offers"]}
assert due["Larkspur Health"] is False and not any(due.values()), due
P
ok "--json: interviews before now have past: true"
CAREEROPS_DEMO_NOW=2025-10-21T12:00:00Z demo "$T/s2.json" --mailbox "$T/sample.mbox"
CAREEROPS_DEMO_NOW=2025-10-21T12:00:00Z text "$T/later.txt" --no-slack
python3 - "$T/s2.json" "$T/later.txt" <<'P' || fail "past deadlines: $(cat "$T/later.txt")"
import json, re, sys
s = json.load(open(sys.argv[1]))
due = {d["company"]: d["past"] for d in s["assessments"] + s["offers"]}
assert due["Larkspur Health"] is True and due["Marigold Transit"] is False, due
summary = open(sys.argv[2]).read().partition("CareerOps demo summary")[2]
assert re.search(r"^  due Mon 20 Oct 2025 \(no time given\) Larkspur Health +\(past\)$", summary, re.M), summary
assert re.search(r"^  due Fri 07 Nov 2025 \(no time given\) Marigold Transit +Senior Backend Engineer$", summary, re.M), summary
P
ok "a deadline gone by is marked (past) in the summary and past: true in --json"
