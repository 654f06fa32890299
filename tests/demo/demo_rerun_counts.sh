#!/usr/bin/env bash
# A run after earlier runs (trial 25): the "not printed" part of the
# notifications line does not call what earlier runs printed "held back by
# the notifier", and --json's notifications_held_back is 0; a summary
# without interviews says "none listed" under its heading.
. "$(dirname "$0")/lib.sh"
md=$T/Maildir
mkdir -p "$md/cur" "$md/new" "$md/tmp"
# the sample's first 6 messages (acknowledgements, outreach and a
# newsletter: no interview, "none listed"), the first 12, then all of
# them
put() {
    python3 - "$SRC/datasets/sample-mailbox/sample.mbox" "$md/cur" "$1" <<'PY'
import mailbox, sys
for i, m in enumerate(mailbox.mbox(sys.argv[1])):
    if i == int(sys.argv[3]):
        break
    open(f"{sys.argv[2]}/{i}.test:2,S", "wb").write(m.as_bytes())
PY
}
put 6
SCHEMAS+=("$(schema_of "$md")")
acct=$(account_of "$md")
run() {
    bash "$SRC/scripts/demo.sh" --keep-db --no-slack --mailbox "$md" --account "$acct" \
        --timezone UTC "$@" >"$T/out.txt" 2>"$T/err" || fail "demo.sh $*: $(tail -n 5 "$T/err")"
}
run --fresh
python3 - "$T/out.txt" <<'PY' || fail "first run: $(sed -n '/^notifications/,$p' "$T/out.txt")"
import re, sys
out = open(sys.argv[1]).read()
ivs = out.split("\nInterviews (")[1].split("\n")
assert ivs[0].startswith("0)") and ivs[1] == "  none listed", ivs[:3]
PY
put 12
run
put 1000
run
python3 - "$T/out.txt" <<'PY' || fail "second run: $(grep '^notifications' "$T/out.txt")"
import re, sys
out = open(sys.argv[1]).read()
line = re.search(r"^notifications +(\d+)  \((\d+) printed this run(.*)\)$", out, re.M)
total, printed, why = int(line[1]), int(line[2]), line[3]
assert printed < total, line[0]
assert "held back by the notifier" not in why, line[0]
assert why == (f"; {total - printed} not printed this run: printed or held back by an "
               "earlier run, or repeats of an interview already printed"), line[0]
PY
# --json on a run with nothing new: nothing counted as held back
demo "$T/out.json" --mailbox "$md" --account "$acct"
python3 - "$T/out.json" <<'PY' || fail "--json: $(head -c 400 "$T/out.json")"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["notifications_held_back"] == 0, o["notifications_held_back"]
PY
ok "a later run does not count what earlier runs printed as held back; no interviews: none listed"
