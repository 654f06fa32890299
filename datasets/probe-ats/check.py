import csv, os, email, datetime, sys
from email import policy
base = os.path.dirname(os.path.abspath(__file__))
valid = {"INTERVIEW","OFFER","ASSESSMENT","REJECTION","APPLICATION_ACK","RECRUITER_OUTREACH","OTHER"}
rows = list(csv.DictReader(open(os.path.join(base,"labels.csv"), encoding="utf-8")))
assert list(rows[0].keys()) == ["file","label","company","scheduled_date"]
files = set(f for f in os.listdir(os.path.join(base,"emails")) if f.endswith(".eml"))
names = [r["file"] for r in rows]
errs = []
if len(names) != len(set(names)): errs.append("duplicate rows")
if set(names) != files: errs.append(f"mismatch {set(names)^files}")
for r in rows:
    if r["label"] not in valid: errs.append(f"{r['file']} bad label")
    if r["label"] == "OTHER" and r["company"]: errs.append(f"{r['file']} OTHER with company")
    if r["label"] != "OTHER" and not r["company"]: errs.append(f"{r['file']} missing company")
    if r["scheduled_date"]:
        if r["label"] not in ("INTERVIEW","OFFER","ASSESSMENT"): errs.append(f"{r['file']} date on {r['label']}")
        d = datetime.datetime.strptime(r["scheduled_date"], "%Y-%m-%dT%H:%M:%SZ")
    p = os.path.join(base,"emails",r["file"])
    if not os.path.exists(p): continue
    m = email.message_from_bytes(open(p,"rb").read(), policy=policy.default)
    for h in ["From","To","Subject","Date","Message-ID","MIME-Version","Content-Type"]:
        if m[h] is None: errs.append(f"{r['file']} missing {h}")
    dt = email.utils.parsedate_to_datetime(m["Date"])
    if dt.tzinfo is None or dt.year != 2026: errs.append(f"{r['file']} bad Date")
    if m.defects: errs.append(f"{r['file']} defects {m.defects}")
    for part in m.walk():
        if part.get_content_maintype() == "text":
            part.get_content()
        if part.defects: errs.append(f"{r['file']} part defects {part.defects}")
print("\n".join(errs) or "OK", len(rows), "rows")
from collections import Counter; print(Counter(r["label"] for r in rows))
