#!/usr/bin/env bash
# A big mailbox keeps the text summary readable (trial 13: 1,500 interview
# lines and a 30 KB "Rejected by" line): at most 40 interviews, upcoming
# first, and 20 rejecting companies, each list saying how many more there
# are; --json still lists them all. An interview's line shows the role of
# its own invitation, not the role a later rejection for another position
# gave the application.
. "$(dirname "$0")/lib.sh"
python3 - "$T/big.mbox" <<'PY'
import sys
names = ["Alder", "Birch", "Cedar", "Dune", "Ember", "Fjord", "Grove", "Harbor", "Iris",
         "Juniper", "Kestrel", "Lumen", "Maple", "Nimbus", "Onyx", "Pine", "Quartz",
         "Raven", "Sable", "Tide", "Umber", "Vale", "Willow", "Xenon", "Yarrow", "Zephyr"]
with open(sys.argv[1], "w") as out:
    k = 0
    for a in names:
        for b in ("Labs", "Works"):
            k += 1
            co, dom = f"{a} {b}", f"{a.lower()}{b.lower()}.example"
            out.write(f"From hr@{dom} Tue Dec  1 10:00:00 2026\nFrom: Hiring Team <hr@{dom}>\n"
                      f"To: pat@example.org\nSubject: Interview invitation: Data Engineer at {co}\n"
                      f"Date: Tue, 1 Dec 2026 10:{k % 60:02d}:00 +0000\nMessage-ID: <iv{k}@{dom}>\n\n"
                      f"Hi Pat,\n\nThank you for applying to {co}. We would like to invite you to an "
                      f"interview for the Data Engineer role on January {4 + k % 20}, 2027 at "
                      f"10:00 AM UTC.\n\nBest regards,\nRecruiting, {co}\n\n")
            out.write(f"From jobs@{dom} Tue Dec  1 11:00:00 2026\nFrom: Talent <jobs@{dom}>\n"
                      f"To: pat@example.org\nSubject: Your application to {co}\n"
                      f"Date: Tue, 1 Dec 2026 11:{k % 60:02d}:00 +0000\nMessage-ID: <rj{k}@{dom}>\n\n"
                      f"Dear Pat,\n\nThank you for your interest in the Analyst position at {co}. "
                      f"Unfortunately, we have decided not to move forward with your application.\n\n"
                      f"Kind regards,\nThe {co} Talent Team\n\n")
PY
SCHEMAS+=("$(schema_of "$T/big.mbox")")
bash "$SRC/scripts/demo.sh" --keep-db --no-slack --fresh \
    --mailbox "$T/big.mbox" --account "$(account_of "$T/big.mbox")" > "$T/out.txt" 2> "$T/err" ||
    fail "demo.sh exited $?: $(tail -n 5 "$T/err")"
python3 - "$T/out.txt" <<'PY' || fail "the summary: $(sed -n '/^Interviews (/,$p' "$T/out.txt" | cut -c1-300)"
import re, sys
out = open(sys.argv[1]).read()
iv = out[out.index("\nInterviews (52)"):]
lines = [l for l in iv.splitlines()[1:] if l.startswith("  ")]
rows = [l for l in lines if re.match(r"  \w{3} \d\d \w{3} \d{4}", l)]
assert len(rows) == 40, len(rows)
assert "  ... and 12 more" in iv, iv[:3000]
assert all("Data Engineer" in l and "Analyst" not in l for l in rows), [l for l in rows if "Analyst" in l][:3]
rb = re.search(r"^Rejected by \(52\): (.*)$", out, re.M)
assert rb and rb.group(1).endswith(", and 32 more (--json lists them all)"), rb and rb.group(0)
assert len(rb.group(1).split(", ")) == 21, rb.group(0)
PY
ok "52 interviews and 52 rejections: 40 interview lines with their invitation's role, 20 companies rejected, the rest counted"
